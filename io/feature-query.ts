/**
 * The feature rows of a model, as one SQL query over the warehouse (DuckDB or BigQuery): one row per event with the
 * event's own feature columns and, for window features, the row of the window that *ended at or before the event*
 * (window_end = the event time floored to the window size: the last complete window, never the event's own one).
 * Training exports these rows and batch scoring reads them, so both see exactly the same features.
 */
import type { Contract } from "../schemas/contract";
import type { ModelFeature } from "../schemas/model-spec";
import { windowTableName } from "../schemas/tables";
import { col, str, type DatasetRef } from "./gcp/bigquery/bigquery-sql";

export interface FeatureSqlDialect {
  readonly kind: "duckdb" | "bigquery";
  ident(name: string): string;
  literal(value: string): string;
  /** The timestamp `column` floored to a multiple of `seconds` since the epoch (Beam's fixed windows start there). */
  floorTo(column: string, seconds: number): string;
  /** The UTC day of a timestamp as YYYY-MM-DD text. */
  dayOf(column: string): string;
  /** A fully qualified table (BigQuery) or the bare quoted name (DuckDB). */
  table(name: string): string;
  /** An ISO instant as a timestamp value. */
  instant(iso: string): string;
  /** A timestamp as seconds since the epoch (a number, whichever way the client renders timestamps). */
  epochSeconds(column: string): string;
}

export const DUCKDB_FEATURE_SQL: FeatureSqlDialect = {
  kind: "duckdb",
  ident: (name) => `"${name.replace(/"/g, '""')}"`,
  literal: (value) => `'${value.replace(/'/g, "''")}'`,
  floorTo: (column, seconds) => `to_timestamp(floor(epoch(${column}) / ${seconds}) * ${seconds})`,
  dayOf: (column) => `strftime(${column}, '%Y-%m-%d')`,
  table: (name) => `"${name.replace(/"/g, '""')}"`,
  instant: (iso) => `CAST('${iso.replace(/'/g, "''")}' AS TIMESTAMPTZ)`,
  epochSeconds: (column) => `epoch(${column})`,
};

export function bigQueryFeatureSql(ref?: DatasetRef): FeatureSqlDialect {
  return {
    kind: "bigquery",
    ident: col,
    literal: str,
    floorTo: (column, seconds) => `TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(${column}), ${seconds}) * ${seconds})`,
    dayOf: (column) => `FORMAT_DATE('%Y-%m-%d', DATE(${column}))`,
    table: (name) => (ref ? `\`${ref.projectId}.${ref.dataset}.${name}\`` : col(name)),
    instant: (iso) => `TIMESTAMP(${str(iso)})`,
    epochSeconds: (column) => `UNIX_SECONDS(${column})`,
  };
}

/** Which events: a day range [from, to) of the event time (UTC days), optionally less those a model already scored. */
export interface FeatureRowsFilter {
  from?: string;
  to?: string;
  /** Instants (ISO), inclusive: a model's held-out rows are those from its split's cutoff to its last row. */
  since?: string;
  until?: string;
  /** An instant (ISO), exclusive: a window's events are those from `since` to before `before`. */
  before?: string;
}

/**
 * `event_id, event_time, label, run_id, <features…>`: the events' id, time, the target's actual value, the run that
 * wrote them, then the features under their model names.
 */
export function featureRowsSql(
  contract: Contract,
  target: string,
  features: readonly ModelFeature[],
  sql: FeatureSqlDialect,
  filter: FeatureRowsFilter = {},
): string {
  const e = (name: string) => `e.${sql.ident(name)}`;
  const time = e(contract.eventTimeField);
  const joins: string[] = [];
  const aliases = new Map<string, string>();
  for (const window of new Set(features.filter((f) => f.window).map((f) => f.window!))) {
    const spec = contract.features?.windows.find((w) => w.name === window);
    if (!spec) throw new Error(`schema ${contract.name} has no window "${window}"`);
    const alias = `w${aliases.size}`;
    aliases.set(window, alias);
    const on = `${alias}.${sql.ident(spec.key)} = ${e(spec.key)} AND ${alias}.${sql.ident("window_end")} = ${sql.floorTo(time, spec.sizeSeconds)}`;
    joins.push(`LEFT JOIN ${sql.table(windowTableName(contract, spec))} ${alias} ON ${on}`);
  }
  const columns = features.map((f) => `${featureExpr(f, aliases, e, sql)} AS ${sql.ident(f.name)}`);
  const head = [
    `${e(contract.idField)} AS ${sql.ident("event_id")}`,
    `${time} AS ${sql.ident("event_time")}`,
    `${e(target)} AS ${sql.ident("label")}`,
    `${e("_run_id")} AS ${sql.ident("run_id")}`,
  ];
  const where = dayRange(time, filter, sql);
  return `SELECT ${[...head, ...columns].join(", ")} FROM ${sql.table(contract.table)} e ${joins.join(" ")}${where ? ` WHERE ${where}` : ""}`;
}

function featureExpr(
  f: ModelFeature,
  aliases: Map<string, string>,
  e: (n: string) => string,
  sql: FeatureSqlDialect,
): string {
  if (!f.window) return e(f.name);
  const value = `${aliases.get(f.window)}.${sql.ident(f.column!)}`;
  return f.whenNoWindow === undefined ? value : `coalesce(${value}, ${Number(f.whenNoWindow)})`;
}

function dayRange(time: string, filter: FeatureRowsFilter, sql: FeatureSqlDialect): string | undefined {
  const day = sql.dayOf(time);
  const parts = [
    filter.from ? `${day} >= ${sql.literal(filter.from)}` : "",
    filter.to ? `${day} < ${sql.literal(filter.to)}` : "",
    filter.since ? `${time} >= ${sql.instant(filter.since)}` : "",
    filter.until ? `${time} <= ${sql.instant(filter.until)}` : "",
    filter.before ? `${time} < ${sql.instant(filter.before)}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(" AND ") : undefined;
}

/** The day after `day` (YYYY-MM-DD), for a one-day range. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
