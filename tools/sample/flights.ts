/**
 * `rox sample flights`: turns the 3M real US flights of vega-datasets into event files, one per day or month, in
 * the formats the batch job reads. DuckDB does the reading, filtering, ordering and (except Avro) the writing, so
 * the rows never pass through JS memory all at once.
 */
import { mkdirSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { FILE_FORMATS } from "../../io/files/file-format";
import { loadFlightSchema, writeAvroFile } from "./flights-avro";
import {
  copyStatement,
  cutoffQuery,
  eventsQuery,
  Partition,
  partitionsQuery,
  SampleFormat,
  SampleGrouping,
  Selection,
  selectionView,
} from "./flights-sql";
import { RoxError } from "../../errors/rox-error";

export interface SampleOptions {
  /** Flights parquet file; default: vega-datasets' flights-3m.parquet. */
  source?: string;
  outDir: string;
  format: SampleFormat;
  by: SampleGrouping;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  /** YYYY-MM-DD, exclusive. */
  to?: string;
  /** Keep only the first `limit` rows (by row number) of the date range. */
  limit?: number;
}

export interface SampleResult {
  files: { path: string; rows: number }[];
  rows: number;
}

export class SampleOptionsError extends RoxError {
  readonly kind = "usage";
  override name = "SampleOptionsError";
}

const GROUPINGS: readonly string[] = ["day", "month"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Options usually come from a command line, so their types are checked again here. */
export function checkSampleOptions(opts: SampleOptions): void {
  if (!(FILE_FORMATS as readonly string[]).includes(opts.format))
    throw new SampleOptionsError(`unknown format "${opts.format}"`);
  if (!GROUPINGS.includes(opts.by)) throw new SampleOptionsError(`unknown grouping "${opts.by}" (day or month)`);
  for (const [name, value] of [
    ["from", opts.from],
    ["to", opts.to],
  ] as const) {
    if (value !== undefined && !DAY.test(value))
      throw new SampleOptionsError(`${name} must be YYYY-MM-DD, got "${value}"`);
  }
  if (opts.limit !== undefined && !(Number.isSafeInteger(opts.limit) && opts.limit > 0)) {
    throw new SampleOptionsError(`limit must be a positive integer, got ${opts.limit}`);
  }
}

/** vega-datasets only exports its JS entry point; the data folder sits beside its build folder. */
export function defaultFlightsSource(): string {
  return join(dirname(dirname(require.resolve("vega-datasets"))), "data", "flights-3m.parquet");
}

export function sampleFileName(partition: Partition, format: SampleFormat): string {
  return `flights-${partition.name}.${format}`;
}

export async function writeFlightSample(opts: SampleOptions): Promise<SampleResult> {
  checkSampleOptions(opts);
  const source = opts.source ?? defaultFlightsSource();
  mkdirSync(opts.outDir, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    // Parquet output casts the (UTC) wall time to TIMESTAMPTZ, which is read in the session's zone.
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(selectionView(await selectRows(connection, source, opts)));
    return await writePartitions(connection, source, opts);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function selectRows(connection: DuckDBConnection, source: string, opts: SampleOptions): Promise<Selection> {
  const selection: Selection = { source, from: opts.from, to: opts.to };
  if (opts.limit === undefined) return selection;
  const reader = await connection.runAndReadAll(cutoffQuery(source, opts.limit, opts.from, opts.to));
  const last = reader.getRowsJS()[0]?.[0];
  // Fewer rows than the limit in range: nothing to cut.
  return last === undefined ? selection : { ...selection, rowCutoff: Number(last) + 1 };
}

async function listPartitions(connection: DuckDBConnection, by: SampleGrouping): Promise<Partition[]> {
  const reader = await connection.runAndReadAll(partitionsQuery(by));
  return reader.getRowObjectsJS().map((row) => ({ name: String(row.name), start: String(row.start) }));
}

async function writePartitions(
  connection: DuckDBConnection,
  source: string,
  opts: SampleOptions,
): Promise<SampleResult> {
  const eventIdPrefix = basename(source, extname(source));
  const files: SampleResult["files"] = [];
  for (const partition of await listPartitions(connection, opts.by)) {
    const path = join(opts.outDir, sampleFileName(partition, opts.format));
    const query = eventsQuery(eventIdPrefix, opts.format, opts.by, partition);
    files.push({ path, rows: await writeEventsFile(connection, query, opts.format, path) });
  }
  return { files, rows: files.reduce((sum, file) => sum + file.rows, 0) };
}

async function writeEventsFile(
  connection: DuckDBConnection,
  query: string,
  format: SampleFormat,
  path: string,
): Promise<number> {
  if (format === "avro") return writeAvroFile(connection, query, loadFlightSchema(), path);
  const result = await connection.run(copyStatement(query, format, path));
  return result.rowsChanged;
}
