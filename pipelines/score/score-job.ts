/**
 * The batch scoring job: the model's feature rows of one day (a warehouse query, staged to a file) → the scoring
 * pipeline on the DirectRunner → one transaction that adds the predictions this model version has not made yet, the
 * dead letters and the run's summary. `read = written + deadLettered + duplicates` (duplicates: already scored).
 */
import * as fs from "fs";
import * as path from "path";
import type { Contract } from "../../schemas/contract";
import { featureRowsSql, nextDay, type FeatureSqlDialect } from "../../io/feature-query";
import { countLines, readJsonLines } from "../../io/files/json-lines";
import type { PredictionCommitReport, PredictionWarehouse } from "../../io/predictions";
import type { ModelCard } from "../../transforms/score/model-card";
import { predictionsTableName } from "../../schemas/tables";
import type { JobSummary } from "../../transforms/summary";
import { runDirect } from "../direct";
import { scorePipeline, SCORE_READ_COUNTER } from "./score-pipeline";

export interface ScoreJobOptions {
  contract: Contract;
  card: ModelCard;
  /** The version's folder (card.json + model.json) the workers load. */
  modelDir: string;
  modelVersion: number;
  partition: string;
  replace: boolean;
  runId: string;
  jobName?: string;
  nowMs: number;
  /** A fresh folder for the staged files. */
  workDir: string;
}

export async function runScoreJob(
  o: ScoreJobOptions,
  warehouse: PredictionWarehouse,
  sql: FeatureSqlDialect,
): Promise<JobSummary> {
  const startedAt = new Date().toISOString();
  fs.mkdirSync(o.workDir, { recursive: true });
  const files = {
    featureRows: path.join(o.workDir, "feature-rows.jsonl"),
    predictions: path.join(o.workDir, "predictions.jsonl"),
    deadLetters: path.join(o.workDir, "dead-letters.jsonl"),
  };
  Object.values(files).forEach((f) => fs.writeFileSync(f, ""));
  await warehouse.exportRows(
    featureRowsSql(o.contract, o.card.target.name, o.card.features, sql, {
      from: o.partition,
      to: nextDay(o.partition),
    }),
    files.featureRows,
  );
  const jobName = o.jobName ?? `rox-score-${o.card.name}`;
  const ctx = {
    modelDir: o.modelDir,
    model: o.card.name,
    modelVersion: o.modelVersion,
    table: o.contract.table,
    schema: o.contract.name,
    jobName,
    runId: o.runId,
    nowMs: o.nowMs,
  };
  const result = await runDirect(scorePipeline({ ...ctx, ...files }));
  const read = (await result.counters())[SCORE_READ_COUNTER] ?? 0;
  const dead = deadLetterTally(files.deadLetters);
  const summaryOf = (report: PredictionCommitReport): JobSummary =>
    scoreRunSummary({ job: jobName, runId: o.runId, contract: o.contract, startedAt, read, dead }, report);
  let summary: JobSummary | undefined;
  await warehouse.commitPredictions({
    contract: o.contract,
    predictions: files.predictions,
    deadLetters: files.deadLetters,
    model: o.card.name,
    modelVersion: o.modelVersion,
    partition: o.partition,
    replace: o.replace,
    summary: (report) => (summary = summaryOf(report)),
  });
  if (countLines(files.featureRows) !== read)
    throw new Error(`the pipeline read ${read} of ${countLines(files.featureRows)} staged feature rows`);
  return summary!;
}

/** A scoring run's summary from what its commit reported (shared by the DirectRunner job and Dataflow's finalize). */
export function scoreRunSummary(
  run: { job: string; runId: string; contract: Contract; startedAt: string; read: number; dead: DeadLetterTally },
  report: PredictionCommitReport,
): JobSummary {
  return {
    job: run.job,
    runId: run.runId,
    schema: run.contract.name,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    read: run.read,
    written: report.written,
    deadLettered: run.dead.total,
    duplicates: report.alreadyPresent,
    byTable: { [predictionsTableName(run.contract)]: report.written, dead_letters: report.deadLettersWritten },
    byReason: {
      ...run.dead.byReason,
      ...(report.alreadyPresent ? { "duplicate/already_scored": report.alreadyPresent } : {}),
    },
  };
}

export interface DeadLetterTally {
  total: number;
  byReason: Record<string, number>;
}

export function deadLetterTally(file: string): DeadLetterTally {
  const byReason: Record<string, number> = {};
  let total = 0;
  for (const dead of readJsonLines(file)) {
    const reason = `${dead.errorStage}/${dead.errorClass}`;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    total++;
  }
  return { total, byReason };
}
