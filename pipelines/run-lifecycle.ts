import * as fs from "fs";
import * as os from "os";
import type { Warehouse } from "../io/ports";
import { makeWorkDir, sweepWorkDirs } from "../io/local/work-dirs";
import type { JobSummary, RunStatus } from "../transforms/summary";

/** The work folders of every job's runs: `rox-<run id>-p<pid>-XXXXXX`. */
const RUN_WORK_DIRS = /rox-(batch|stream|replay)-/;

/**
 * What every job does before its first chunk: removes the work folders that killed runs left (their process is gone),
 * marks their unfinished runs `abandoned`, and records itself as `running` — so a run that reads nothing, or dies
 * before its first commit, still has its row. Returns the run's own work folder.
 */
export async function beginRun(warehouse: Warehouse, summary: JobSummary, workParent = os.tmpdir()): Promise<string> {
  sweepWorkDirs(workParent, RUN_WORK_DIRS);
  const abandoned = await warehouse.markAbandonedRuns();
  if (abandoned.length > 0)
    console.warn(
      `marked ${abandoned.length} run(s) that never finished as abandoned in job_runs: ${abandoned.join(", ")}`,
    );
  await warehouse.recordRun(summary, "running");
  return makeWorkDir(workParent, `rox-${summary.runId}-`);
}

/** Records how the run ended; a failure to record a failed run must not hide the error that failed it. */
export async function endRun(
  warehouse: Warehouse,
  summary: JobSummary,
  status: Exclude<RunStatus, "running" | "abandoned">,
): Promise<void> {
  if (status === "finished") return warehouse.recordRun(summary, status);
  await warehouse
    .recordRun(summary, status)
    .catch((err) => console.error(`could not record run ${summary.runId} as ${status}: ${(err as Error).message}`));
}

/**
 * A run from start to end: `beginRun`, then `body` in the run's work folder, then the run recorded `finished` (or
 * `failed`, and the error rethrown); the folder is removed either way. Returns the run's last summary.
 */
export async function inRun<S extends JobSummary>(
  warehouse: Warehouse,
  summaryNow: () => S,
  workParent: string | undefined,
  body: (workDir: string) => Promise<void>,
): Promise<S> {
  const workDir = await beginRun(warehouse, summaryNow(), workParent);
  try {
    await body(workDir);
  } catch (err) {
    await endRun(warehouse, summaryNow(), "failed");
    throw err;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const summary = summaryNow();
  await endRun(warehouse, summary, "finished");
  return summary;
}
