/** Reading a warehouse back through `Warehouse.query`, in SQL both targets speak; the dialect covers the differences. */
import { createHash } from "crypto";
import type { Warehouse } from "../../io/ports";

export interface WarehouseDialect {
  /** A quoted column name. */
  q(name: string): string;
  /** A timestamp column as epoch milliseconds. */
  epochMs(column: string): string;
  /** A timestamp column's UTC day as 'YYYY-MM-DD'. */
  day(column: string): string;
  /** `column_name`, `is_nullable` ('YES'/'NO') and, where `partitioned`, `is_partitioning_column` and `clustering_ordinal_position`, in column order. */
  columnsSql(table: string): string;
  /** The warehouse partitions and clusters tables (BigQuery), or has no such thing (DuckDB). */
  partitioned: boolean;
}

type Row = Record<string, unknown>;
/** A warehouse, or a prepared chunk's handle (which reads inside its transaction). */
type Reader = Pick<Warehouse, "query">;

export const WINDOW_TABLE = "flights_origin_hourly";

/** Numbers arrive as numbers (BigQuery) or numeric text (DuckDB BIGINT): compare them as numbers. */
function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export async function eventRows(wh: Reader, d: WarehouseDialect): Promise<Row[]> {
  const sql = `SELECT event_id AS id, ${d.epochMs("date")} AS ms, ${d.day("date")} AS day, origin, route, is_delayed, hour_of_day, _run_id AS run FROM flights ORDER BY event_id`;
  return (await wh.query(sql)).map((r) => ({ ...r, ms: num(r.ms), hour_of_day: num(r.hour_of_day) }));
}

export async function windowRows(wh: Reader, d: WarehouseDialect): Promise<Row[]> {
  const accumulators = ["_acc_flights", "_acc_delay_sum", "_acc_max_delay", "_acc_delayed_flights"];
  const sql = `SELECT origin, ${d.epochMs("window_start")} AS start_ms, ${d.epochMs("window_end")} AS end_ms, flights, mean_delay, max_delay, delayed_share, ${accumulators.join(", ")} FROM ${WINDOW_TABLE} ORDER BY origin, start_ms`;
  return (await wh.query(sql)).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === "origin" ? v : num(v)])),
  );
}

export async function deadLetterRows(wh: Reader, d: WarehouseDialect): Promise<Row[]> {
  const sql = `SELECT ${d.q("sourceLine")} AS line, ${d.q("errorClass")} AS reason, to_base64(${d.q("payloadBytes")}) AS bytes, ${d.q("runId")} AS run FROM dead_letters ORDER BY line`;
  return (await wh.query(sql)).map((r) => ({ ...r, line: num(r.line) }));
}

export async function jobRuns(wh: Reader, d: WarehouseDialect): Promise<Row[]> {
  const counts = ["read", "written", "deadLettered", "duplicates"];
  const sql = `SELECT ${d.q("runId")} AS run, ${counts.map((c) => `${d.q(c)} AS ${d.q(c)}`).join(", ")} FROM job_runs ORDER BY run`;
  return (await wh.query(sql)).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === "run" ? v : num(v)])),
  );
}

/** A checksum of each day's event rows (id, instant, run): a day rewritten by another run changes, others do not. */
export async function dayChecksums(wh: Reader, d: WarehouseDialect): Promise<Record<string, string>> {
  const byDay: Record<string, Row[]> = {};
  for (const row of await eventRows(wh, d)) (byDay[String(row.day)] ??= []).push(row);
  return Object.fromEntries(
    Object.entries(byDay).map(([day, rows]) => [day, createHash("sha256").update(JSON.stringify(rows)).digest("hex")]),
  );
}

/** Everything the suite can see, for "nothing changed" checks. */
export async function snapshot(wh: Reader, d: WarehouseDialect): Promise<Row> {
  return {
    events: await eventRows(wh, d),
    windows: await windowRows(wh, d),
    dead: await deadLetterRows(wh, d),
    runs: await jobRuns(wh, d),
  };
}

/** Dead letters with what replays did to them, by line. */
export async function replayedDeadLetters(wh: Reader, d: WarehouseDialect): Promise<Row[]> {
  const names = ["sourceLine", "errorClass", "errorMessage", "replayOutcome", "replayedBy"];
  const columns = names.map((c) => `${d.q(c)} AS ${d.q(c)}`);
  columns.push(`${d.epochMs("replayedAt")} AS ${d.q("replayedAtMs")}`);
  const sql = `SELECT ${columns.join(", ")} FROM dead_letters ORDER BY ${d.q("sourceLine")}`;
  return (await wh.query(sql)).map((r) => ({ ...r, sourceLine: num(r.sourceLine), replayedAtMs: num(r.replayedAtMs) }));
}
