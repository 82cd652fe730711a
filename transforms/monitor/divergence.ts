/**
 * The distances Vertex AI Model Monitoring uses between a training baseline and serving data: Jensen–Shannon
 * divergence for numbers (histograms on the same bins) and L-infinity distance for categories. Pure, no IO.
 */

/**
 * Jensen–Shannon divergence of two histograms on the same bins, in bits (base 2): 0 for the same distribution, 1 for
 * disjoint ones. Counts are normalized first; bins empty in both contribute nothing. Equals SciPy's
 * `jensenshannon(p, q, base=2) ** 2` (which returns the distance, the divergence's square root). Undefined (NaN)
 * when either side counts nothing or the bins differ in number.
 */
export function jensenShannon(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length) return Number.NaN;
  const sp = sum(p);
  const sq = sum(q);
  if (!(sp > 0 && sq > 0)) return Number.NaN;
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = (a + b) / 2;
    if (a > 0) divergence += (a / 2) * Math.log2(a / m);
    if (b > 0) divergence += (b / 2) * Math.log2(b / m);
  }
  return clamp01(divergence);
}

/**
 * L-infinity distance of two category distributions: the largest difference, over every category either side has,
 * between its shares. 0 for the same shares, 1 for disjoint categories. NaN when either side counts nothing.
 */
export function lInfinity(p: Readonly<Record<string, number>>, q: Readonly<Record<string, number>>): number {
  const sp = sum(Object.values(p));
  const sq = sum(Object.values(q));
  if (!(sp > 0 && sq > 0)) return Number.NaN;
  let largest = 0;
  for (const key of new Set([...Object.keys(p), ...Object.keys(q)])) {
    largest = Math.max(largest, Math.abs(share(p, key, sp) - share(q, key, sq)));
  }
  return largest;
}

/** Own keys only: a category named `__proto__` or `constructor` is a category like any other. */
function share(counts: Readonly<Record<string, number>>, key: string, total: number): number {
  return Object.hasOwn(counts, key) ? counts[key] / total : 0;
}

function sum(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0);
}

/** Rounding can leave a hair below 0 or above 1. */
function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
