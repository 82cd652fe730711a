import { severityOf, type Severity } from "./thresholds";

export const METRICS = [
  "drift.jensen_shannon",
  "drift.l_infinity",
  "quality.null_rate",
  "quality.dead_letter_rate",
  "quality.volume_change",
] as const;
export type MetricName = (typeof METRICS)[number];

/** The feature name of the predictions' own rows. */
export const PREDICTION_FEATURE = "prediction";

/**
 * One measurement of a monitoring run, before the writer adds the model, version and scope. `feature` is a model
 * feature, `prediction`, a dead-letter reason (`quality.dead_letter_rate`) or null (`quality.volume_change`).
 */
export interface MetricRow {
  feature: string | null;
  metric: MetricName;
  value: number;
  threshold: number;
  errorThreshold: number;
  alert: boolean;
  severity: Severity | null;
  /** How many values the metric was computed on (rows of the day, records read). */
  rows: number;
}

export function metricRow(
  feature: string | null,
  metric: MetricName,
  value: number,
  limits: Limits,
  rows: number,
): MetricRow {
  const severity = severityOf(value, limits.threshold, limits.errorThreshold);
  return { feature, metric, value, ...limits, alert: severity !== null, severity, rows };
}

export interface Limits {
  threshold: number;
  errorThreshold: number;
}
