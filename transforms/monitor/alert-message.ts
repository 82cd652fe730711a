/**
 * An alert as one Pub/Sub message (`rox monitor --alert-topic`): a JSON body a subscriber acts on, and attributes a
 * subscription filter can select on (`attributes.severity = "ERROR"`, `attributes.model = "flights-delay"`). Pure:
 * the caller publishes it.
 */
import type { AlertContext } from "./alert-entry";
import type { MetricRow } from "./metric-row";

export interface AlertBody {
  model: string;
  version: number;
  table: string;
  scope: string;
  scopeStart: string;
  feature: string | null;
  metric: string;
  value: number;
  /** The threshold crossed: the error threshold for an ERROR, else the warning one. */
  threshold: number;
  severity: "WARNING" | "ERROR";
  rows: number;
  runId: string;
  time: string;
}

export interface AlertMessage {
  /** The body as JSON text (UTF-8 on the wire). */
  data: string;
  attributes: Record<string, string>;
}

/** The message of an alerting row; undefined for a row within its threshold. */
export function alertMessage(row: MetricRow, context: AlertContext, time: string): AlertMessage | undefined {
  if (!row.severity) return undefined;
  const body: AlertBody = {
    ...{ model: context.model, version: context.version, table: context.table },
    ...{ scope: context.scope, scopeStart: context.scopeStart, feature: row.feature, metric: row.metric },
    value: row.value,
    threshold: row.severity === "ERROR" ? row.errorThreshold : row.threshold,
    ...{ severity: row.severity, rows: row.rows, runId: context.runId, time },
  };
  const attributes: Record<string, string> = {
    ...{ model: context.model, version: String(context.version), table: context.table, scope: context.scope },
    ...{ metric: row.metric, severity: row.severity },
    ...(row.feature === null ? {} : { feature: row.feature }),
  };
  return { data: JSON.stringify(body), attributes };
}
