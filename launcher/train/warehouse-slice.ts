import type { Contract } from "../../schemas/contract";
import { listContracts, loadContract, schemasDir } from "../../schemas/load";
import { windowTableName } from "../../schemas/tables";
import type { Warehouse } from "../../io/ports";
import { UsageError } from "../errors";
import type { SliceFacts, TrainingSlice } from "./lineage";
import { DUCKDB_DIALECT, type SliceDialect } from "./slice-dialect";
import type { TrainingData } from "./training-data";

const JOB_RUNS = "job_runs";
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A slice bound to its contract: which column holds the day partition, and whether rows record their run. */
export interface ResolvedSlice extends TrainingSlice {
  contract: Contract;
  partitionColumn: string;
  /** Events tables keep `_run_id` per row; window tables are merged across runs and do not. */
  rowsKnowTheirRun: boolean;
}

/** Finds the contract whose events table, or one of whose window tables, is `table`. */
export function resolveSlice(slice: TrainingSlice, dir?: string): ResolvedSlice {
  if (slice.partition !== undefined && !(DAY.test(slice.partition) && !Number.isNaN(Date.parse(slice.partition)))) {
    throw new UsageError(`--partition must be a day, YYYY-MM-DD (got "${slice.partition}")`);
  }
  const known: string[] = [];
  for (const name of listContracts(dir ?? schemasDir())) {
    const contract = loadContract(name, { dir });
    if (contract.table === slice.table)
      return { ...slice, contract, partitionColumn: contract.eventTimeField, rowsKnowTheirRun: true };
    known.push(contract.table);
    for (const window of contract.features?.windows ?? []) {
      const table = windowTableName(contract, window);
      if (table === slice.table)
        return { ...slice, contract, partitionColumn: "window_start", rowsKnowTheirRun: false };
      known.push(table);
    }
  }
  throw new UsageError(`--on ${slice.table}: no schema declares that table (known: ${known.join(", ")})`);
}

/** The condition on the slice's day partition (UTC, as the warehouse partitions it); none for the whole table. */
export function sliceCondition(
  slice: ResolvedSlice,
  alias = "",
  sql: SliceDialect = DUCKDB_DIALECT,
): string | undefined {
  return slice.partition ? sql.onDay(`${alias}${sql.ident(slice.partitionColumn)}`, slice.partition) : undefined;
}

export function sliceFilter(slice: ResolvedSlice, alias = "", sql: SliceDialect = DUCKDB_DIALECT): string {
  const condition = sliceCondition(slice, alias, sql);
  return condition ? ` WHERE ${condition}` : "";
}

/** Where a cloud trainer finds the slice, when the warehouse is one it can read (BigQuery). */
export function trainingDataOf(slice: ResolvedSlice, sql: SliceDialect): { data?: TrainingData } {
  if (!sql.dataUri) return {};
  const filter = sliceCondition(slice, "", sql);
  return { data: { uri: sql.dataUri(slice.table), format: "bigquery", ...(filter ? { filter } : {}) } };
}

/**
 * Row counts per run of the slice, with each run's finish time from `job_runs` when the warehouse has that table
 * (a Dataflow job writes none: its runs are then known by their rows alone). No table, no rows.
 */
export async function readSliceFacts(
  warehouse: Warehouse,
  slice: ResolvedSlice,
  sql: SliceDialect = DUCKDB_DIALECT,
): Promise<SliceFacts> {
  const base = {
    table: slice.table,
    ...(slice.partition ? { partition: slice.partition } : {}),
    schema: slice.contract.name,
    schemaVersion: slice.contract.version,
  };
  const data = trainingDataOf(slice, sql);
  const present = new Set(
    (await warehouse.query(sql.tablesPresent([slice.table, JOB_RUNS]))).map((r) => String(r.name)),
  );
  if (!present.has(slice.table)) return { ...base, runs: [], ...data };
  const query = slice.rowsKnowTheirRun
    ? runsOfRows(slice, sql, present.has(JOB_RUNS))
    : latestRunOfSchema(slice, sql, present.has(JOB_RUNS));
  const rows = await warehouse.query(query);
  const runs = rows
    .filter((r) => Number(r.rows) > 0)
    .map((r) => ({
      runId: String(r.runId ?? "unknown"),
      rows: Number(r.rows),
      finishedAt: String(r.finishedAt ?? ""),
    }));
  return { ...base, runs, ...data };
}

function runsOfRows(slice: ResolvedSlice, sql: SliceDialect, withJobRuns: boolean): string {
  const [q, runId] = [sql.ident, sql.ident("_run_id")];
  const finished = withJobRuns ? sql.text(`max(j.${q("finishedAt")})`) : "NULL";
  const join = withJobRuns ? ` LEFT JOIN ${q(JOB_RUNS)} j ON j.${q("runId")} = t.${runId}` : "";
  return `SELECT t.${runId} AS ${q("runId")}, count(*) AS ${q("rows")}, ${finished} AS ${q("finishedAt")}
    FROM ${q(slice.table)} t${join}${sliceFilter(slice, "t.", sql)} GROUP BY t.${runId}`;
}

/** A window table's rows are credited to the schema's latest run: the last one to merge into them. */
function latestRunOfSchema(slice: ResolvedSlice, sql: SliceDialect, withJobRuns: boolean): string {
  const q = sql.ident;
  const rows = `(SELECT count(*) FROM ${q(slice.table)}${sliceFilter(slice, "", sql)}) AS ${q("rows")}`;
  if (!withJobRuns) return `SELECT NULL AS ${q("runId")}, NULL AS ${q("finishedAt")}, ${rows}`;
  const ofSchema = `FROM ${q(JOB_RUNS)} WHERE ${q("schema")} = ${sql.literal(slice.contract.name)}`;
  return `SELECT (SELECT ${q("runId")} ${ofSchema} ORDER BY ${q("finishedAt")} DESC, ${q("runId")} DESC LIMIT 1) AS ${q("runId")},
    (SELECT ${sql.text(`max(${q("finishedAt")})`)} ${ofSchema}) AS ${q("finishedAt")},
    ${rows}`;
}

/** The statement that writes the slice to a Parquet file (the local target's training data; DuckDB only). */
export function exportSliceSql(slice: ResolvedSlice, file: string): string {
  return `COPY (SELECT * FROM ${DUCKDB_DIALECT.ident(slice.table)}${sliceFilter(slice)}) TO ${DUCKDB_DIALECT.literal(file)} (FORMAT parquet)`;
}

export async function exportSlice(warehouse: Warehouse, slice: ResolvedSlice, file: string): Promise<void> {
  await warehouse.query(exportSliceSql(slice, file));
}
