import type { ErrorMetrics } from "./model-card";

/** Mean absolute and root mean squared error, accumulated one pair at a time (the rows are never held). */
export class ErrorAccumulator {
  private absolute = 0;
  private squared = 0;
  rows = 0;

  add(predicted: number, actual: number): void {
    const error = predicted - actual;
    this.absolute += Math.abs(error);
    this.squared += error * error;
    this.rows++;
  }

  result(): ErrorMetrics {
    return { mae: this.absolute / this.rows, rmse: Math.sqrt(this.squared / this.rows) };
  }
}
