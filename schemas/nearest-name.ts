/**
 * The valid name closest to a misspelled one, for "did you mean" hints: a config key, a flag, a schema attribute.
 * Pure; it lives in the bottom layer so every layer that refuses a name can suggest one.
 */

/** The closest of `candidates` by edit distance (case-insensitive, a swap counts once); undefined when none is near. */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  // Beyond a third of the name's length a "suggestion" is noise (e.g. "foo" → "tag").
  return best && best.distance <= Math.max(2, Math.ceil(name.length / 3)) ? best.candidate : undefined;
}

/** ` (did you mean "x"?)`, or the valid names when none is near: the message always shows what would be accepted. */
export function didYouMean(name: string, candidates: readonly string[], quote = (n: string) => `"${n}"`): string {
  const near = nearestName(name, candidates);
  if (near !== undefined) return ` (did you mean ${quote(near)}?)`;
  return candidates.length === 0 ? "" : ` (valid: ${[...candidates].sort().map(quote).join(", ")})`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      if (swapped) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
