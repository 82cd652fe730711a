/**
 * GoogleSQL of monitoring on the BigQuery warehouse (pure), the twin of `io/local/duckdb-monitoring.ts`'s statements:
 * what a scope holds (the runs' counts, the version's predictions, the trailing days' volumes) as single statements
 * binding query parameters, and the scope's replacement as one transaction script reading its values from staging
 * tables (bqemulator binds no parameters inside a script). The metrics themselves are computed in transforms/monitor.
 */
import type { BigQueryField } from "../../../schemas/bigquery";
import type { Contract } from "../../../schemas/contract";
import type { MetricRow } from "../../../transforms/monitor/metric-row";
import type { MonitoredScope, MonitoringRun } from "../../monitoring";
import { col, expectCount, int, tableRef, transaction, type DatasetRef } from "./bigquery-sql";

/** The columns that name one scope: its rows are replaced as a whole. */
export const SCOPE_KEY = ["model", "version", "table_name", "scope", "scope_start"] as const;

const DAY_MICROS = 86_400_000_000;

/** `read` and `byReason` (JSON as text) of the runs `@ids`. */
export function runCountsSql(ref: DatasetRef, jobRuns: string): string {
  const columns = `${col("read")}, TO_JSON_STRING(${col("byReason")}) AS ${col("byReason")}`;
  return `SELECT ${columns} FROM ${tableRef(ref, jobRuns)} WHERE ${col("runId")} IN UNNEST(@ids)`;
}

/** The predictions of version `@version` of `@model` for the events in [`@start`, `@end`) (ISO text). */
export function scopePredictionsSql(ref: DatasetRef, predictions: string): string {
  const time = col("event_time");
  const where = [
    `${col("model")} = @model`,
    `${col("model_version")} = @version`,
    `${time} >= TIMESTAMP(@start)`,
    `${time} < TIMESTAMP(@end)`,
  ].join(" AND ");
  return `SELECT ${col("prediction")} FROM ${tableRef(ref, predictions)} WHERE ${where}`;
}

/**
 * Rows of the span [`@start`, `@start` + `@span_micros`) on each of the `days` before `@start` that holds any: the
 * offset from `@start` in microseconds, exact in INT64, floored to whole days (a day scope: whole days).
 */
export function trailingRowsSql(ref: DatasetRef, contract: Contract, days: number): string {
  const time = col(contract.eventTimeField);
  const start = "TIMESTAMP(@start)";
  const offset = `(UNIX_MICROS(${time}) - UNIX_MICROS(${start}))`;
  const intoDay = `MOD(MOD(${offset}, ${DAY_MICROS}) + ${DAY_MICROS}, ${DAY_MICROS})`;
  const range = [
    `${time} >= TIMESTAMP_SUB(${start}, INTERVAL ${int(Math.trunc(days))} DAY)`,
    `${time} < ${start}`,
    `${intoDay} < @span_micros`,
  ].join(" AND ");
  // A trailing day is named by its first microsecond's offset, not by a quotient: bqemulator 1.4.0's DIV answers
  // DIV(-172800000000 + 5, 86400000000) with -172800000000.
  const day = `${offset} - ${intoDay}`;
  const byDay = `SELECT ${day} AS ${col("day")} FROM ${tableRef(ref, contract.table)} WHERE ${range}`;
  return `SELECT ${col("day")}, COUNT(*) AS n FROM (${byDay}) GROUP BY ${col("day")}`;
}

/** The one-row staging table naming the scope to replace. */
export function scopeKeyFields(layout: readonly BigQueryField[]): BigQueryField[] {
  return SCOPE_KEY.map((name) => layout.find((f) => f.name === name)!);
}

export function scopeKeyRow(scope: MonitoredScope): Record<string, unknown> {
  return {
    model: scope.model,
    version: scope.version,
    table_name: scope.table,
    scope: scope.scope,
    scope_start: scope.start,
  };
}

/** A metric as a `monitoring` row of the scope (the layout of schemas/tables.ts `monitoringTable`). */
export function monitoringRow(scope: MonitoredScope, run: MonitoringRun, r: MetricRow): Record<string, unknown> {
  return {
    ...scopeKeyRow(scope),
    scope_end: scope.end,
    feature: r.feature,
    metric: r.metric,
    value: r.value,
    threshold: r.threshold,
    error_threshold: r.errorThreshold,
    alert: r.alert,
    severity: r.severity,
    rows: r.rows,
    run_id: run.runId,
    computed_at: run.computedAt,
  };
}

/** The stored rows of the scope that the staging table `scope` names. */
export function ofScope(ref: DatasetRef, scope: string): string {
  return SCOPE_KEY.map((c) => `${col(c)} IN (SELECT ${col(c)} FROM ${tableRef(ref, scope)})`).join(" AND ");
}

export function scopeRowsCountSql(ref: DatasetRef, monitoring: string, scope: string): string {
  return `SELECT COUNT(*) AS n FROM ${tableRef(ref, monitoring)} WHERE ${ofScope(ref, scope)}`;
}

export interface ScopeReplacement {
  ref: DatasetRef;
  monitoring: string;
  /** Staging tables: the scope's key row, and the new rows (every column of the layout). */
  scope: string;
  rows: string;
  fields: readonly BigQueryField[];
  /** The scope's stored rows, counted before: the script fails (and changes nothing) if that changed meanwhile. */
  replaced: number;
}

/** Deletes the scope's rows and inserts the staged ones, in one transaction. */
export function replaceScopeScript(plan: ScopeReplacement): string {
  const { ref, monitoring, scope } = plan;
  const names = plan.fields.map((f) => col(f.name)).join(", ");
  return transaction([
    expectCount(scopeRowsCountSql(ref, monitoring, scope), plan.replaced, "the scope's monitoring rows"),
    `DELETE FROM ${tableRef(ref, monitoring)} WHERE ${ofScope(ref, scope)}`,
    `INSERT INTO ${tableRef(ref, monitoring)} (${names}) SELECT ${names} FROM ${tableRef(ref, plan.rows)}`,
  ]);
}
