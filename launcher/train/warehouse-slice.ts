import type { Contract } from "../../schemas/contract";
import { listContracts, loadContract, schemasDir } from "../../schemas/load";
import { windowTableName } from "../../schemas/tables";
import type { Warehouse } from "../../io/ports";
import { UsageError } from "../errors";
import type { SliceFacts, TrainingSlice } from "./lineage";

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
    if (contract.table === slice.table) return { ...slice, contract, partitionColumn: contract.eventTimeField, rowsKnowTheirRun: true };
    known.push(contract.table);
    for (const window of contract.features?.windows ?? []) {
      const table = windowTableName(contract, window);
      if (table === slice.table) return { ...slice, contract, partitionColumn: "window_start", rowsKnowTheirRun: false };
      known.push(table);
    }
  }
  throw new UsageError(`--on ${slice.table}: no schema declares that table (known: ${known.join(", ")})`);
}

/** `WHERE` over the slice's day partition (UTC, as the warehouse partitions it), or nothing for the whole table. */
export function sliceFilter(slice: ResolvedSlice, alias = ""): string {
  if (!slice.partition) return "";
  return ` WHERE strftime(${alias}${ident(slice.partitionColumn)}, '%Y-%m-%d') = ${literal(slice.partition)}`;
}

/** Row counts per run of the slice, with each run's finish time from `job_runs`. */
export async function readSliceFacts(warehouse: Warehouse, slice: ResolvedSlice): Promise<SliceFacts> {
  const base = { table: slice.table, ...(slice.partition ? { partition: slice.partition } : {}), schema: slice.contract.name, schemaVersion: slice.contract.version };
  const sql = slice.rowsKnowTheirRun ? runsOfRows(slice) : latestRunOfSchema(slice);
  const rows = await warehouse.query(sql);
  const runs = rows.filter((r) => Number(r.rows) > 0).map((r) => ({ runId: String(r.runId ?? "unknown"), rows: Number(r.rows), finishedAt: String(r.finishedAt ?? "") }));
  return { ...base, runs };
}

function runsOfRows(slice: ResolvedSlice): string {
  return `SELECT t._run_id AS "runId", count(*) AS "rows", CAST(max(j."finishedAt") AS VARCHAR) AS "finishedAt"
    FROM ${ident(slice.table)} t LEFT JOIN ${JOB_RUNS} j ON j."runId" = t._run_id${sliceFilter(slice, "t.")} GROUP BY t._run_id`;
}

/** A window table's rows are credited to the schema's latest run: the last one to merge into them. */
function latestRunOfSchema(slice: ResolvedSlice): string {
  return `SELECT (SELECT "runId" FROM ${JOB_RUNS} WHERE "schema" = ${literal(slice.contract.name)} ORDER BY "finishedAt" DESC, "runId" DESC LIMIT 1) AS "runId",
    (SELECT CAST(max("finishedAt") AS VARCHAR) FROM ${JOB_RUNS} WHERE "schema" = ${literal(slice.contract.name)}) AS "finishedAt",
    (SELECT count(*) FROM ${ident(slice.table)}${sliceFilter(slice)}) AS "rows"`;
}

/** The statement that writes the slice to a Parquet file (the local target's training data). */
export function exportSliceSql(slice: ResolvedSlice, file: string): string {
  return `COPY (SELECT * FROM ${ident(slice.table)}${sliceFilter(slice)}) TO ${literal(file)} (FORMAT parquet)`;
}

export async function exportSlice(warehouse: Warehouse, slice: ResolvedSlice, file: string): Promise<void> {
  await warehouse.query(exportSliceSql(slice, file));
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
