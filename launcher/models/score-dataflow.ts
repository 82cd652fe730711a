/**
 * `rox score --runner dataflow`: the feature rows of the day (the BigQuery scorer's own query and export) staged as one
 * JSON-lines object under `--temp-location` → the scoring graph (pipelines/dataflow/score-graph.ts) submitted to
 * Dataflow, writing the run's staging tables; `--finalize-run <id>` lands a finished run through the BigQuery
 * scorer's commit, and `--wait-until-done` does both in one process: submit, poll the job to DONE (the ingest launch's
 * wait), finalize. `--dry-run` prints the options, the job request and the feature query; nothing is staged or sent.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bigQueryFeatureSql, featureRowsSql, nextDay } from "../../io/feature-query";
import { isGcsUri } from "../../io/identifiers/storage";
import type { BigQueryPredictions } from "../../io/gcp/bigquery/bigquery-predictions";
import { loadContract } from "../../schemas/load";
import { renderSummary, unaccounted, type JobSummary } from "../../transforms/summary";
import { newRunId } from "../../pipelines/run-id";
import { storeOf } from "../commands/models";
import { dataflowOptionsOf, definedOnly } from "../commands/runner-flags";
import { ReconciliationError, UsageError } from "../errors";
import { optionalNumber } from "../args";
import type { DataflowSubmission } from "../../pipelines/dataflow/submit";
import type { SubmittedJob as DataflowSubmitted } from "../../pipelines/dataflow/dataflow-answer";
import { loadConfig } from "../config";
import { warehouseTarget, withWarehouse } from "../warehouse";
import { resolveDay } from "./day";
import { parseModelRef } from "./model-ref";
import { openRegistry } from "./open-registry";
import type { ScoreValues } from "./score-flags";

type Scoring = Awaited<ReturnType<typeof resolveScoring>>;

/** How the graph reaches Dataflow: Beam's submission (the default); tests pass one that runs it short of Dataflow. */
export interface ScoreSubmitter {
  submit(submission: DataflowSubmission): Promise<DataflowSubmitted>;
}

export async function scoreOnDataflow(values: ScoreValues, submitter?: ScoreSubmitter): Promise<unknown> {
  for (const flag of ["job-endpoint", "parallelism"] as const)
    if (values[flag] !== undefined) throw new UsageError(`--${flag} does not apply to --runner dataflow`);
  checkScoreWaitFlags(values);
  if (values.warehouse !== "bigquery")
    throw new UsageError("rox score --runner dataflow reads and commits in BigQuery: --warehouse bigquery --dataset D");
  const target = warehouseTarget({ ...values, project: values.project ?? loadConfig(values.config).project });
  if (target.kind !== "bigquery") throw new UsageError("--warehouse bigquery is required");
  const { BigQueryPredictions } = await import("../../io/gcp/bigquery/bigquery-predictions");
  const { kind: _kind, ...bigQuery } = target;
  return withWarehouse(target, async (warehouse) => {
    const scoring = await resolveScoring(
      values,
      openRegistry(warehouse, target, values.store ?? storeOf(values.config), values["storage-endpoint"]),
    );
    const predictions = await BigQueryPredictions.open(bigQuery);
    try {
      return values["finalize-run"]
        ? await finalize(values, scoring, predictions)
        : await submit(values, scoring, predictions, bigQuery, submitter);
    } finally {
      await predictions.close();
    }
  });
}

async function resolveScoring(values: ScoreValues, registry: ReturnType<typeof openRegistry>) {
  const model = await registry.resolve(parseModelRef(values.model!));
  const card = await registry.card(model);
  const contract = loadContract(card.schema.name, { dir: values["schemas-dir"] });
  if (contract.table !== values.on) throw new UsageError(`--on ${values.on}: ${model.name} scores ${contract.table}`);
  const partition = resolveDay(values.partition!, Date.now(), values["time-zone"]);
  return { model, card, contract, partition };
}

async function submit(
  values: ScoreValues,
  scoring: Scoring,
  predictions: BigQueryPredictions,
  ref: { projectId: string; dataset: string },
  submitter?: ScoreSubmitter,
): Promise<unknown> {
  const { model, card, contract, partition } = scoring;
  if (!isGcsUri(model.uri))
    throw new UsageError(`Dataflow workers read the model from a gs:// store (--store gs://…); ${model.uri} is local`);
  const options = definedOnly(dataflowOptionsOf(values));
  const runId = values["run-id"] ?? newRunId(Date.now(), "score");
  const featureRows = `${options.tempLocation.replace(/\/+$/, "")}/rox-score/${runId}/feature-rows.jsonl`;
  const range = { from: partition, to: nextDay(partition) };
  const sql = featureRowsSql(contract, card.target.name, card.features, bigQueryFeatureSql(ref), range);
  const parameters = definedOnly({
    schema: contract.name,
    schemasDir: values["schemas-dir"],
    dataset: ref.dataset,
    model: model.name,
    modelVersion: String(model.version),
    modelUri: model.uri,
    featureRows,
    runId,
    storageEndpoint: values["storage-endpoint"],
  });
  const { planSubmission, submitToDataflow } = await import("../../pipelines/dataflow/submit");
  const submission = planSubmission("score", { ...parameters, ...options });
  if (values["dry-run"]) {
    const { dataflowDryRun } = await import("../../pipelines/dataflow/dry-run");
    const plan = { ...dataflowDryRun(submission), featureRows: { query: sql, stagedAs: featureRows } };
    return void console.log(JSON.stringify(plan, null, 2));
  }
  await stageFeatureRows(predictions, sql, featureRows, {
    projectId: ref.projectId,
    apiEndpoint: values["storage-endpoint"],
  });
  const submitted = await (submitter ? submitter.submit(submission) : submitToDataflow(submission));
  console.log(`Dataflow job ${submitted.jobId} created (score, run ${runId})`);
  if (submitted.consoleUrl) console.log(submitted.consoleUrl);
  if (!values["wait-until-done"]) {
    const next = `rox score --runner dataflow --finalize-run ${runId} --model ${model.name}@${model.version} …`;
    console.log(`once it is DONE: ${next} (or submit with --wait-until-done)`);
    return submitted;
  }
  const sent = submission.options;
  const target = { project: String(sent.project ?? ref.projectId), region: String(sent.region) };
  await waitForDone(values, target, { id: submitted.jobId, name: String(sent.jobName), runId });
  return finalize({ ...values, "finalize-run": runId }, scoring, predictions);
}

/** `--wait-until-done`: the job polled to DONE (a failed job, or no DONE in time, throws; nothing is landed). */
async function waitForDone(
  values: ScoreValues,
  target: { project: string; region: string },
  job: { id: string; name: string; runId: string },
): Promise<void> {
  const { waitForScoreJob } = await import("./score-dataflow-wait");
  const done = await waitForScoreJob(target, job, {
    pollSeconds: optionalNumber(values["poll-interval"], "poll-interval"),
    maxWaitMinutes: optionalNumber(values["max-wait"], "max-wait"),
    endpoint: values["jobs-endpoint"],
  });
  console.log(`${done.name || done.id} (${done.id}) is ${done.currentState}: landing run ${job.runId}`);
}

/** `--wait-until-done` submits and lands; `--finalize-run` lands a run submitted before: one or the other. */
function checkScoreWaitFlags(values: ScoreValues): void {
  if (values["wait-until-done"] && values["finalize-run"])
    throw new UsageError("--wait-until-done submits and lands the run itself: not with --finalize-run");
  if (!values["wait-until-done"])
    for (const flag of ["poll-interval", "max-wait", "jobs-endpoint"] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies only with --wait-until-done`);
}

/** The day's feature rows (the BigQuery scorer's export) uploaded as one JSON-lines object for the workers. */
async function stageFeatureRows(
  predictions: BigQueryPredictions,
  sql: string,
  uri: string,
  storage: { projectId: string; apiEndpoint?: string },
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rox-score-rows-"));
  try {
    const file = path.join(dir, "feature-rows.jsonl");
    await predictions.exportRows(sql, file);
    const { uploadFile } = await import("../../io/gcp/gcs/gcs-upload");
    await uploadFile(file, uri, storage);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function finalize(
  values: ScoreValues,
  { model, contract, partition }: Scoring,
  predictions: BigQueryPredictions,
): Promise<JobSummary> {
  const { finalizeDataflowScore } = await import("../../pipelines/dataflow/finalize-score");
  const summary = await finalizeDataflowScore(
    {
      contract,
      model: model.name,
      modelVersion: model.version,
      partition,
      replace: values.replace ?? false,
      runId: values["finalize-run"]!,
    },
    predictions,
  );
  console.log(renderSummary(summary));
  if (values.summary) fs.writeFileSync(values.summary, JSON.stringify(summary, null, 2) + "\n");
  if (unaccounted(summary) !== 0)
    throw new ReconciliationError(`scoring run ${summary.runId}: ${unaccounted(summary)} rows unaccounted for`);
  return summary;
}
