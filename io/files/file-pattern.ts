import { globToRegExp } from "./list-files";

/**
 * An input pattern cut at its first wildcard segment: `root` is the fixed part (a folder, ending with `/`, or "" for
 * all), `glob` what names below it must match. Without a wildcard, `root` is the whole pattern and `glob` undefined.
 * The same cut serves local paths and object names, so both sources read a pattern the same way.
 */
export interface SplitPattern {
  root: string;
  glob?: string;
}

const WILDCARD = /[*?{]/;

export function splitPattern(pattern: string): SplitPattern {
  const segments = pattern.split("/");
  const first = segments.findIndex((segment) => WILDCARD.test(segment));
  if (first < 0) return { root: pattern };
  const root = segments.slice(0, first).join("/");
  return { root: first === 0 ? "" : `${root}/`, glob: segments.slice(first).join("/") };
}

/**
 * A test for names relative to the root: `*` and `?` stay within a segment, `**` crosses them (the rules of
 * `io/files/list-files.ts`), and `{a,b}` matches either alternative.
 */
export function globMatcher(glob: string): (name: string) => boolean {
  const alternatives = expandBraces(glob).map(globToRegExp);
  return (name) => alternatives.some((re) => re.test(name));
}

/** `a{b,c{d,e}}` → [ab, acd, ace]; an unclosed `{` is kept as a literal character. */
export function expandBraces(glob: string): string[] {
  const open = glob.indexOf("{");
  const close = open < 0 ? -1 : matchingBrace(glob, open);
  if (close < 0) return [glob];
  const head = glob.slice(0, open);
  const tails = expandBraces(glob.slice(close + 1));
  return topLevelParts(glob.slice(open + 1, close)).flatMap((part) =>
    expandBraces(part).flatMap((body) => tails.map((tail) => head + body + tail)),
  );
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function topLevelParts(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "{") depth++;
    else if (body[i] === "}") depth--;
    else if (body[i] === "," && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  return [...parts, body.slice(start)];
}

/** Hidden files and Hadoop/Spark markers (`_SUCCESS`, `_temporary/`) are not data, at any depth below the root. */
export function isHiddenName(name: string): boolean {
  return name.split("/").some((segment) => segment.startsWith(".") || segment.startsWith("_"));
}
