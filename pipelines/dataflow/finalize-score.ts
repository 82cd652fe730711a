import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Contract } from "../../schemas/contract";
import { DEAD_LETTER_TABLE, predictionsTableName } from "../../schemas/tables";
import type { PredictionWarehouse } from "../../io/predictions";
import { runStageTable } from "../../io/gcp/bigquery/bigquery-run-stage";
import type { JobSummary } from "../../transforms/summary";
import { InputError } from "../../io/errors";
import { deadLetterTally, scoreRunSummary } from "../score/score-job";

export interface FinalizeScoreOptions {
  contract: Contract;
  model: string;
  modelVersion: number;
  /** The day the run scored (YYYY-MM-DD): `replace` empties it for this model version first. */
  partition: string;
  replace: boolean;
  /** The run id the scoring job was submitted with (its staging tables' suffix). */
  runId: string;
  jobName?: string;
}

/** The BigQuery scorer's commit, plus reading and dropping a run's staging tables (BigQueryPredictions). */
export interface RunStagePredictions extends PredictionWarehouse {
  exportRunStage(table: string, file: string): Promise<number | undefined>;
  dropRunStage(table: string): Promise<void>;
}

/**
 * Lands a finished Dataflow scoring run: its staged predictions and dead letters → the BigQuery scorer's own commit
 * (one transaction: only predictions this model version has not made, new dead letters, `job_runs`), then the staging
 * tables are dropped. Idempotent per (day, model version): a rerun's predictions count as already scored.
 */
export async function finalizeDataflowScore(
  o: FinalizeScoreOptions,
  warehouse: RunStagePredictions,
): Promise<JobSummary> {
  const startedAt = new Date().toISOString();
  const stage = {
    predictions: runStageTable(predictionsTableName(o.contract), o.runId),
    deadLetters: runStageTable(DEAD_LETTER_TABLE, o.runId),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rox-finalize-score-"));
  try {
    const files = { predictions: path.join(dir, "predictions.jsonl"), deadLetters: path.join(dir, "dead.jsonl") };
    const staged = await warehouse.exportRunStage(stage.predictions, files.predictions);
    const dead = await warehouse.exportRunStage(stage.deadLetters, files.deadLetters);
    if (staged === undefined && dead === undefined)
      throw new InputError(`scoring run ${o.runId} left no staging table (already finalized, or never ran)`);
    for (const file of Object.values(files)) if (!fs.existsSync(file)) fs.writeFileSync(file, "");
    const run = {
      job: o.jobName ?? `rox-score-${o.model}`,
      runId: o.runId,
      contract: o.contract,
      startedAt,
      read: (staged ?? 0) + (dead ?? 0),
      dead: deadLetterTally(files.deadLetters),
    };
    let summary: JobSummary | undefined;
    await warehouse.commitPredictions({
      ...o,
      ...files,
      summary: (report) => (summary = scoreRunSummary(run, report)),
    });
    for (const table of Object.values(stage)) await warehouse.dropRunStage(table);
    return summary!;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
