/**
 * The one run id generator. A run id names a run in `job_runs`, in dead letters, in Dataflow job names and labels and in
 * staging table suffixes, so it sorts by start time and uses only lowercase letters, digits and `-`:
 * `batch-20010102t020000-3fa2c1` (or `20010102t020000-3fa2c1` without a job kind).
 */
import { randomBytes } from "crypto";

export function newRunId(nowMs: number, job?: string, random: () => string = randomHex): string {
  const stamp = new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "")
    .toLowerCase();
  return [...(job ? [job.toLowerCase()] : []), stamp, random()].join("-");
}

function randomHex(): string {
  return randomBytes(3).toString("hex");
}
