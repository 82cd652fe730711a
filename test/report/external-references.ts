/** What a page opened offline must not reach for: any src, href or url() that does not point inside the file. */
export function externalReferences(html: string): string[] {
  const refs = [...html.matchAll(/\b(?:src|href|xlink:href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]);
  const urls = [...html.matchAll(/url\(\s*["']?([^"')]*)/gi)].map((m) => m[1]);
  return [...refs, ...urls].filter((ref) => !ref.startsWith("#"));
}
