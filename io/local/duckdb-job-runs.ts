import * as os from "os";
import type { DuckDBConnection } from "@duckdb/node-api";
import { JOB_RUN_COLUMNS, jobRunRow, type JobSummary, type RunStatus } from "../../transforms/summary";

export const JOB_RUNS_TABLE = "job_runs";

/** Every run's summary, updated with each committed chunk or micro-batch (the summary JSON file is a copy). */
const JOB_RUNS_DDL = `CREATE TABLE IF NOT EXISTS ${JOB_RUNS_TABLE} (
  "runId" VARCHAR PRIMARY KEY, "job" VARCHAR NOT NULL, "schema" VARCHAR NOT NULL, "startedAt" TIMESTAMPTZ NOT NULL,
  "finishedAt" TIMESTAMPTZ NOT NULL, "read" BIGINT NOT NULL, "written" BIGINT NOT NULL, "deadLettered" BIGINT NOT NULL,
  "duplicates" BIGINT NOT NULL, "byTable" JSON, "byReason" JSON, "uncounted" BIGINT, "status" VARCHAR, "owner" VARCHAR)`;

/** Columns added after the table's first version: a warehouse created by an earlier version gets them. */
const ADDED_COLUMNS = [`"uncounted" BIGINT`, `"status" VARCHAR`, `"owner" VARCHAR`];

/** This process, as a run's `owner`. */
export function runOwner(): string {
  return `${os.hostname()}:${process.pid}`;
}

export async function ensureJobRunsTable(db: DuckDBConnection): Promise<void> {
  await db.run(JOB_RUNS_DDL);
  for (const column of ADDED_COLUMNS) await db.run(`ALTER TABLE ${JOB_RUNS_TABLE} ADD COLUMN IF NOT EXISTS ${column}`);
}

/** Inserts or replaces the run's row; every value is a bound parameter. */
export async function upsertJobRun(db: DuckDBConnection, summary: JobSummary, status: RunStatus): Promise<void> {
  const row = jobRunRow(summary, status, runOwner());
  const columns = JOB_RUN_COLUMNS.map((c) => `"${c}"`).join(", ");
  const values = JOB_RUN_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");
  await db.run(`INSERT OR REPLACE INTO ${JOB_RUNS_TABLE} (${columns}) VALUES (${values})`, JOB_RUN_COLUMNS.map((c) => row[c]));
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
