import {
  errorsOf,
  fitDelayModel,
  isHeldOut,
  predictDelay,
  type DelayModel,
  type ErrorMetrics,
  type FlightRow,
} from "./delay-model";

export const DEFAULT_LAMBDA = 1e-3;

export interface DelayMetrics {
  rows: number;
  trainRows: number;
  testRows: number;
  target: "delay";
  unit: "minutes";
  /** On the held-out rows (or, when there are none, on the training rows: `evaluatedOn` says which). */
  evaluatedOn: "held-out" | "training";
  model: ErrorMetrics;
  /** Predicting the training rows' mean delay for every flight: what the model must beat to be worth anything. */
  baseline: ErrorMetrics & { prediction: number };
}

/** Fits the delay model on four rows in five and measures it, and the mean baseline, on the fifth. */
export function trainDelayModel(
  rows: readonly FlightRow[],
  lambda = DEFAULT_LAMBDA,
): { model: DelayModel; metrics: DelayMetrics } {
  const train = rows.filter((r) => !isHeldOut(r.event_id));
  const heldOut = rows.filter((r) => isHeldOut(r.event_id));
  if (train.length === 0) throw new Error(`no training rows (${rows.length} rows in all)`);
  const model = fitDelayModel(train, lambda);
  const mean = train.reduce((sum, r) => sum + r.delay, 0) / train.length;
  const evaluated = heldOut.length > 0 ? heldOut : train;
  const metrics: DelayMetrics = {
    rows: rows.length,
    trainRows: train.length,
    testRows: heldOut.length,
    target: "delay",
    unit: "minutes",
    evaluatedOn: heldOut.length > 0 ? "held-out" : "training",
    model: errorsOf(evaluated, (r) => predictDelay(model, r)),
    baseline: { prediction: mean, ...errorsOf(evaluated, () => mean) },
  };
  return { model, metrics };
}
