/**
 * The staging tables of one Dataflow batch run (pure): the job writes its events and dead letters there, not into the
 * final tables, and `rox jobs finalize` commits them like a local chunk (fresh events only, one transaction), then
 * drops them. Named after the final table and the run, so two runs never share one and a rerun finds its own.
 */
import { DEAD_LETTER_TABLE } from "../../../schemas/tables";
import { validateTableId } from "../../identifiers/bigquery";
import type { RunStageTables } from "../../ports";
import { col, tableRef, type DatasetRef } from "./bigquery-sql";

export type { RunStageReport, RunStageTables } from "../../ports";

/** `<table>__run_<run id>`, the run id reduced to letters, digits and underscores (`20010101t020000-3fa2c1` → `…t020000_3fa2c1`). */
export function runStageTable(table: string, runId: string): string {
  if (runId.length === 0) throw new Error("a run's staging table needs the run id");
  return validateTableId(`${table}__run_${runId.replace(/[^A-Za-z0-9_]/g, "_")}`);
}

export function runStageTables(eventsTable: string, runId: string): RunStageTables {
  return { events: runStageTable(eventsTable, runId), deadLetters: runStageTable(DEAD_LETTER_TABLE, runId) };
}

/** Rows and distinct ids of a run's staged events: the job keeps one row per id, and a commit relies on it. */
export function stagedIdsSql(ref: DatasetRef, stage: string, idField: string): string {
  return `SELECT COUNT(*) AS n, COUNT(DISTINCT CAST(${col(idField)} AS STRING)) AS ids FROM ${tableRef(ref, stage)}`;
}

export function deadLetterReasonsSql(ref: DatasetRef, stage: string): string {
  const reason = `CONCAT(${col("errorStage")}, '/', ${col("errorClass")})`;
  // A dead letter stands for its records (a corrupt block's declared count); one when the count is unknown.
  return `SELECT ${reason} AS reason, SUM(COALESCE(${col("records")}, 1)) AS n FROM ${tableRef(ref, stage)} GROUP BY ${reason}`;
}
