/**
 * Least squares by the normal equations, accumulated row by row so the rows are never held as a matrix:
 * `(XᵀX + λI) w = Xᵀy`, solved by Cholesky (XᵀX + λI is symmetric positive definite for λ > 0).
 */
export class NormalEquations {
  private readonly xtx: Float64Array;
  private readonly xty: Float64Array;
  rows = 0;

  constructor(readonly size: number) {
    this.xtx = new Float64Array(size * size);
    this.xty = new Float64Array(size);
  }

  add(x: Float64Array, y: number): void {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      if (xi === 0) continue; // one-hot features are mostly zero
      this.xty[i] += xi * y;
      for (let j = 0; j <= i; j++) this.xtx[i * n + j] += xi * x[j];
    }
    this.rows++;
  }

  /** Ridge solution; the penalty is scaled by the row count and spares the intercept (index 0). */
  solve(lambda: number): number[] {
    const n = this.size;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = this.xtx[i * n + j];
      if (i > 0) a[i * n + i] += lambda * this.rows;
    }
    return choleskySolve(a, this.xty, n);
  }
}

/** Solves `A x = b` for symmetric positive definite `A` (row-major `n×n`). */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): number[] {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(sum > 0)) throw new Error(`matrix is not positive definite at row ${i}`);
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j];
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * y[k];
    y[i] = sum / l[i * n + i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
    x[i] = sum / l[i * n + i];
  }
  return x;
}
