/**
 * An alert as one structured log entry in Cloud Logging's JSON format (`severity`, `message`, `time`, labels): what a
 * log-based alerting policy matches on. Pure: the caller writes the line.
 */
import type { MetricRow } from "./metric-row";

export interface AlertContext {
  model: string;
  version: number;
  table: string;
  scope: string;
  /** The scope's first instant (a day's midnight, UTC). */
  scopeStart: string;
  runId: string;
}

export interface AlertEntry {
  severity: "WARNING" | "ERROR";
  message: string;
  time: string;
  "logging.googleapis.com/labels": Record<string, string>;
  alert: {
    feature: string | null;
    metric: string;
    value: number;
    threshold: number;
    errorThreshold: number;
    rows: number;
  };
}

/** The entry of an alerting row; undefined for a row within its threshold. */
export function alertEntry(row: MetricRow, context: AlertContext, time: string): AlertEntry | undefined {
  if (!row.severity) return undefined;
  const what = row.feature === null ? row.metric : `${row.metric} of ${row.feature}`;
  const message =
    `${context.model}@${context.version} ${context.scope} ${context.scopeStart.slice(0, 10)}: ${what} = ` +
    `${row.value.toFixed(4)} above ${row.severity === "ERROR" ? row.errorThreshold : row.threshold}`;
  const labels = {
    job: "monitor",
    run_id: context.runId,
    model: context.model,
    model_version: String(context.version),
    table: context.table,
    scope: context.scope,
    metric: row.metric,
    ...(row.feature === null ? {} : { feature: row.feature }),
  };
  const { feature, metric, value, threshold, errorThreshold, rows } = row;
  return {
    severity: row.severity,
    message,
    time,
    "logging.googleapis.com/labels": labels,
    alert: { feature, metric, value, threshold, errorThreshold, rows },
  };
}
