/** Finding the runs in BigQuery's `job_runs` that a killed process left `running` (pure SQL and checks). */
import * as os from "os";
import { isAlive } from "../../local/work-dirs";
import { col, tableRef, type DatasetRef } from "./bigquery-sql";

export function abandonedRunsSql(ref: DatasetRef, table: string): string {
  return `SELECT ${col("runId")}, ${col("owner")} FROM ${tableRef(ref, table)} WHERE ${col("status")} = 'running'`;
}

/** Binds `@ids`. */
export function markAbandonedSql(ref: DatasetRef, table: string): string {
  return `UPDATE ${tableRef(ref, table)} SET ${col("status")} = 'abandoned' WHERE ${col("status")} = 'running' AND ${col("runId")} IN UNNEST(@ids)`;
}

/** `host:pid` names a process of this machine that no longer exists (BigQuery is shared: another machine's run may be alive). */
export function ownerIsGone(owner: string): boolean {
  const at = owner.lastIndexOf(":");
  const [host, pid] = [owner.slice(0, at), Number(owner.slice(at + 1))];
  return at > 0 && host === os.hostname() && Number.isSafeInteger(pid) && pid !== process.pid && !isAlive(pid);
}
