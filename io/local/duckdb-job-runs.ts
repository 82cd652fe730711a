import * as os from "os";
import type { DuckDBConnection } from "@duckdb/node-api";
import { jobRunsColumnsDdl, jobRunsTableDdl } from "../../schemas/duckdb";
import { JOB_RUNS_TABLE } from "../../schemas/tables";
import { JOB_RUN_COLUMNS, jobRunRow, type JobSummary, type RunStatus } from "../../transforms/summary";

export { JOB_RUNS_TABLE };

/** This process, as a run's `owner`. */
export function runOwner(): string {
  return `${os.hostname()}:${process.pid}`;
}

export async function ensureJobRunsTable(db: DuckDBConnection): Promise<void> {
  await db.run(jobRunsTableDdl());
  // A warehouse created by an earlier version gets the columns added since.
  for (const ddl of jobRunsColumnsDdl()) await db.run(ddl);
}

/** Inserts or replaces the run's row; every value is a bound parameter. */
export async function upsertJobRun(db: DuckDBConnection, summary: JobSummary, status: RunStatus): Promise<void> {
  const row = jobRunRow(summary, status, runOwner());
  const columns = JOB_RUN_COLUMNS.map((c) => `"${c}"`).join(", ");
  const values = JOB_RUN_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");
  await db.run(
    `INSERT OR REPLACE INTO ${JOB_RUNS_TABLE} (${columns}) VALUES (${values})`,
    JOB_RUN_COLUMNS.map((c) => row[c]),
  );
}

/**
 * Holding the file's lock, this process is the only one writing to it: a run of another process still `running` was
 * killed before it finished.
 */
export async function markAbandoned(db: DuckDBConnection): Promise<string[]> {
  const sql = `UPDATE ${JOB_RUNS_TABLE} SET "status" = 'abandoned' WHERE "status" = 'running' AND "owner" IS DISTINCT FROM $1 RETURNING "runId"`;
  const reader = await db.runAndReadAll(sql, [runOwner()]);
  return reader.getRowObjectsJson().map((row) => String(row.runId));
}
