import type { NumericBaseline } from "./model-card";

/**
 * The bin of `value` in a card's histogram: bin i holds edges[i] <= v < edges[i+1]; values below the first edge fall in
 * the first bin and values at or above the last inner edge in the last (the trainer's numpy.searchsorted(edges[1:-1],
 * v, side="right")). Returns -1 when the histogram has no bins.
 */
export function histogramBin(edges: readonly number[], value: number): number {
  const bins = edges.length - 1;
  if (bins < 1) return -1;
  let lo = 0;
  let hi = bins - 1; // the answer is the count of inner edges (edges[1..bins-1]) that are <= value
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid + 1] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts of `values` on a baseline's edges (missing values are counted apart): what drift compares with `counts`. */
export function histogramCounts(
  baseline: Pick<NumericBaseline, "edges">,
  values: Iterable<number | null | undefined>,
): { counts: number[]; missing: number } {
  const counts = new Array<number>(Math.max(baseline.edges.length - 1, 0)).fill(0);
  let missing = 0;
  for (const v of values) {
    if (v === null || v === undefined || Number.isNaN(v)) missing++;
    else if (counts.length > 0) counts[histogramBin(baseline.edges, v)]++;
  }
  return { counts, missing };
}
