/**
 * The DuckDB SQL that turns the flights parquet file into flight events. Pure: each function only builds text,
 * so the exact statements can be read and tested without a database.
 */
import type { FileFormat } from "../../io/files/file-format";

/** A sample is written in any format the jobs read. */
export type SampleFormat = FileFormat;
export type SampleGrouping = "day" | "month";

/** Which rows of the source become events: a date range and, optionally, only the first rows of it. */
export interface Selection {
  source: string;
  from?: string;
  to?: string;
  /** Exclusive upper bound on the 0-based file row number, derived from `limit` (see cutoffQuery). */
  rowCutoff?: number;
}

/** One output file's slice of the selection: the day or month starting at `start` (YYYY-MM-DD). */
export interface Partition {
  name: string;
  start: string;
}

export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function scanSource(source: string): string {
  return `read_parquet(${sqlString(source)}, file_row_number = true)`;
}

/** Range predicates on `date` let DuckDB skip whole row groups by their statistics. */
function dateRangeFilter(from?: string, to?: string): string[] {
  const filters: string[] = [];
  if (from) filters.push(`date >= TIMESTAMP ${sqlString(from)}`);
  if (to) filters.push(`date < TIMESTAMP ${sqlString(to)}`);
  return filters;
}

function whereClause(filters: string[]): string {
  return filters.length === 0 ? "" : ` WHERE ${filters.join(" AND ")}`;
}

/**
 * The 0-based row number of the `limit`-th selected row; rows after it are cut. Turning the limit into a row
 * bound (instead of LIMIT inside a view) keeps every later query a plain, pushdown-friendly scan.
 */
export function cutoffQuery(source: string, limit: number, from?: string, to?: string): string {
  return (
    `SELECT file_row_number FROM ${scanSource(source)}${whereClause(dateRangeFilter(from, to))}` +
    ` ORDER BY file_row_number LIMIT 1 OFFSET ${limit - 1}`
  );
}

function selectionFilters(selection: Selection): string[] {
  // A row without a date belongs to no day or month file.
  const filters = ["date IS NOT NULL", ...dateRangeFilter(selection.from, selection.to)];
  if (selection.rowCutoff !== undefined) filters.push(`file_row_number < ${selection.rowCutoff}`);
  return filters;
}

/** The selected source rows, as a view every other query reads. */
export function selectionView(selection: Selection): string {
  return (
    `CREATE OR REPLACE TEMP VIEW selected AS SELECT file_row_number, date, delay, distance, origin, destination` +
    ` FROM ${scanSource(selection.source)}${whereClause(selectionFilters(selection))}`
  );
}

const PARTITION_NAME_FORMAT: Record<SampleGrouping, string> = { day: "%Y-%m-%d", month: "%Y-%m" };

export function partitionsQuery(by: SampleGrouping): string {
  const start = `date_trunc('${by}', date)`;
  return (
    `SELECT DISTINCT strftime(${start}, '${PARTITION_NAME_FORMAT[by]}') AS name,` +
    ` strftime(${start}, '%Y-%m-%d') AS start FROM selected ORDER BY start`
  );
}

/**
 * The event columns. Text formats carry the date as ISO-8601 UTC text; Avro as epoch milliseconds (a DOUBLE,
 * so it reaches JS as an exact number, not a bigint); Parquet as a UTC-adjusted timestamp (needs TimeZone=UTC).
 * The source's wall time is UTC, so no zone conversion happens anywhere.
 */
function dateColumn(format: SampleFormat): string {
  if (format === "avro") return "CAST(epoch_ms(date) AS DOUBLE)";
  if (format === "parquet") return "CAST(date AS TIMESTAMPTZ)";
  return "strftime(date, '%Y-%m-%dT%H:%M:%SZ')";
}

export function eventsQuery(
  eventIdPrefix: string,
  format: SampleFormat,
  by: SampleGrouping,
  partition: Partition,
): string {
  const start = `TIMESTAMP ${sqlString(partition.start)}`;
  return (
    `SELECT ${sqlString(`${eventIdPrefix}:`)} || (file_row_number + 1) AS event_id, ${dateColumn(format)} AS date,` +
    ` CAST(delay AS INTEGER) AS delay, CAST(distance AS INTEGER) AS distance, origin, destination` +
    ` FROM selected WHERE date >= ${start} AND date < ${start} + INTERVAL 1 ${by.toUpperCase()}` +
    ` ORDER BY file_row_number`
  );
}

const COPY_OPTIONS: Record<Exclude<SampleFormat, "avro">, string> = {
  jsonl: "FORMAT json",
  csv: "FORMAT csv, HEADER true, DELIMITER ','",
  parquet: "FORMAT parquet, COMPRESSION snappy",
};

export function copyStatement(query: string, format: Exclude<SampleFormat, "avro">, path: string): string {
  return `COPY (${query}) TO ${sqlString(path)} (${COPY_OPTIONS[format]})`;
}
