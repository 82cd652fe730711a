import { NormalEquations } from "./normal-equations";

/** The columns of the flights events table the model reads (event fields and per-event features). */
export interface FlightRow {
  event_id: string;
  delay: number;
  distance: number;
  hour_of_day: number;
  day_of_week: number;
}

const HOURS = Array.from({ length: 23 }, (_, i) => `hour_${i + 1}`);
const DAYS = Array.from({ length: 6 }, (_, i) => `day_of_week_${i + 1}`);
/** Hour 0 and Sunday are the reference levels of the one-hot groups (their effect is in the intercept). */
export const FEATURE_NAMES = ["intercept", "distance_1000mi", ...HOURS, ...DAYS];

export interface DelayModel {
  kind: "ridge-regression";
  target: "delay";
  unit: "minutes";
  lambda: number;
  features: string[];
  weights: number[];
}

export function featureVector(row: FlightRow): Float64Array {
  const x = new Float64Array(FEATURE_NAMES.length);
  x[0] = 1;
  x[1] = row.distance / 1000;
  if (row.hour_of_day >= 1 && row.hour_of_day <= 23) x[1 + row.hour_of_day] = 1;
  if (row.day_of_week >= 1 && row.day_of_week <= 6) x[1 + HOURS.length + row.day_of_week] = 1;
  return x;
}

/** One row in five is held out, chosen by a hash of its id: the same rows every run, independent of order. */
export function isHeldOut(eventId: string): boolean {
  let hash = 0x811c9dc5; // FNV-1a, 32 bit
  for (let i = 0; i < eventId.length; i++) hash = Math.imul(hash ^ eventId.charCodeAt(i), 0x01000193) >>> 0;
  return hash % 5 === 0;
}

export function fitDelayModel(rows: readonly FlightRow[], lambda: number): DelayModel {
  const equations = new NormalEquations(FEATURE_NAMES.length);
  for (const row of rows) equations.add(featureVector(row), row.delay);
  return {
    kind: "ridge-regression",
    target: "delay",
    unit: "minutes",
    lambda,
    features: FEATURE_NAMES,
    weights: equations.solve(lambda),
  };
}

export function predictDelay(model: DelayModel, row: FlightRow): number {
  const x = featureVector(row);
  return model.weights.reduce((sum, w, i) => sum + w * x[i], 0);
}

export interface ErrorMetrics {
  mae: number;
  rmse: number;
}

/** Mean absolute and root mean squared error of `predict` over `rows` (NaN for no rows). */
export function errorsOf(rows: readonly FlightRow[], predict: (row: FlightRow) => number): ErrorMetrics {
  let absolute = 0;
  let squared = 0;
  for (const row of rows) {
    const error = predict(row) - row.delay;
    absolute += Math.abs(error);
    squared += error * error;
  }
  return { mae: absolute / rows.length, rmse: Math.sqrt(squared / rows.length) };
}
