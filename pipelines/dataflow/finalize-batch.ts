import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Contract } from "../../schemas/contract";
import { loadContract } from "../../schemas/load";
import { checkFeatureModule } from "../../transforms/features";
import { countLines } from "../../io/files/json-lines";
import type { CommitReport, RunStageReport, RunStageWarehouse } from "../../io/ports";
import { runStageTables } from "../../io/gcp/bigquery/bigquery-run-stage";
import { addTallies, type JobSummary } from "../../transforms/summary";
import { runDirect } from "../direct";
import { stagedFileSinks } from "../sinks";
import { windowPipeline } from "../window-pipeline";

export interface FinalizeOptions {
  schema: string;
  schemasDir?: string;
  /** The run id the Dataflow job was launched with (its `runId` parameter, the `rox-run` label). */
  runId: string;
  replace: boolean;
  workDir?: string;
  now?: () => number;
}

/**
 * Lands a finished Dataflow batch run like a local chunk: its staging tables → the events the tables do not hold yet
 * (exported) → the window pass over them on the DirectRunner → one transaction with events, dead letters, window
 * rows and the run's `job_runs` summary; the staging tables are dropped after it, and the run is recorded `finished`.
 * A rerun of the same input adds nothing but its own `job_runs` row.
 */
export async function finalizeDataflowBatch(
  options: FinalizeOptions,
  warehouse: RunStageWarehouse,
): Promise<JobSummary> {
  const now = options.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const contract = loadContract(options.schema, { dir: options.schemasDir });
  checkFeatureModule(contract);
  const workDir = fs.mkdtempSync(path.join(options.workDir ?? os.tmpdir(), `rox-finalize-`));
  try {
    await warehouse.ensureTables(contract);
    const freshEvents = path.join(workDir, "fresh-events.jsonl");
    const prepared = await warehouse.prepareRunStage(
      contract,
      runStageTables(contract.table, options.runId),
      freshEvents,
      { replace: options.replace },
    );
    let committed: JobSummary;
    try {
      const windowPartials = await runWindows(contract, options.schemasDir, freshEvents, workDir);
      const summaryOf = (committed: CommitReport): JobSummary => ({
        job: "batch",
        runId: options.runId,
        schema: contract.name,
        startedAt,
        finishedAt: new Date(now()).toISOString(),
        ...runCounts(contract, prepared.report, committed),
      });
      committed = summaryOf(await prepared.commit({ windowPartials }, summaryOf));
    } finally {
      if (prepared.open) await prepared.abort();
    }
    // The commit records the run as a chunk's commit does (`running`); the run has ended: `finished`, as a local
    // run's end is recorded (else a later run of this machine would mark it abandoned, its process being gone).
    await warehouse.recordRun(committed, "finished");
    return committed;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** The window pass over the fresh events, as a local chunk runs it; one partials file per declared window. */
async function runWindows(
  contract: Contract,
  schemasDir: string | undefined,
  freshEvents: string,
  dir: string,
): Promise<Record<string, string>> {
  const windows = (contract.features?.windows ?? []).map((w) => ({ name: w.name, sizeSeconds: w.sizeSeconds }));
  const partials = (window: string) => path.join(dir, `window-${window}.jsonl`);
  windows.forEach((w) => fs.writeFileSync(partials(w.name), ""));
  if (windows.length > 0 && countLines(freshEvents) > 0) {
    const unused = path.join(dir, "unused.jsonl"); // the window pass writes partials only
    const sinks = stagedFileSinks({
      events: unused,
      deadLetters: unused,
      duplicates: unused,
      windowPartials: partials,
    });
    await runDirect(windowPipeline({ schema: contract.name, schemasDir, newEvents: freshEvents, windows }, sinks));
  }
  return Object.fromEntries(windows.map((w) => [w.name, partials(w.name)]));
}

/**
 * The run's counts from what it staged. `read` is staged events + staged dead letters: records the Dataflow job
 * dropped as in-run duplicates (same id twice in the input) never reach a staging table, so they are not counted —
 * neither in `read` nor in `duplicates` — unless the job's metrics are read; the summary still reconciles.
 */
function runCounts(contract: Contract, prepared: RunStageReport, committed: CommitReport) {
  const duplicates = prepared.alreadyPresent;
  const byReason = addTallies(
    prepared.deadLetterReasons,
    duplicates > 0 ? { "duplicate/in_warehouse": duplicates } : {},
  );
  return {
    read: prepared.staged + prepared.deadLettered,
    written: committed.eventsWritten,
    deadLettered: prepared.deadLettered,
    duplicates,
    byTable: {
      [contract.table]: committed.eventsWritten,
      dead_letters: committed.deadLettersWritten,
      ...committed.windowRows,
    },
    byReason,
  };
}
