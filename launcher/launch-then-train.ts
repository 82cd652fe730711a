/**
 * `rox launch batch … --wait-until-done --then-train`: launch the Dataflow batch job, poll it until DONE, finalize it
 * (land its staging tables, as `rox jobs finalize` does), then train on the partition it landed in BigQuery. The pieces are the launcher's own (launch apply, `waitUntilDone`, the lineage
 * and plans of `train/`); this module only chains them and says where the job wrote.
 */
import type { RetryPolicy } from "./cloud/retry";
import type { JobSummary } from "../transforms/summary";
import type { Plan } from "./plan";
import { applyLaunch, type LaunchResult } from "./dataflow/apply";
import type { DataflowApi, JobInfo } from "./dataflow/clients";
import type { LaunchFlexTemplateRequest } from "./dataflow/requests";
import { waitUntilDone, type DonePolling } from "./dataflow/wait-until-done";
import { MissingSettingError } from "./cloud/errors";
import { RESOLVED_AFTER_JOB, type PlannedLineage } from "./train/lineage";
import { cloudTargetFor, planCloudTraining } from "./train/plan-training";
import type { TrainSettings } from "./train/settings";
import { bigQueryDialect } from "./train/slice-dialect";
import { runTraining, type TrainResult } from "./train/train-run";
import { resolveSlice, trainingDataOf } from "./train/warehouse-slice";
import { withWarehouse, type WarehouseTarget } from "./warehouse";

/** What to train once the job is DONE: the events table of the launched schema, on the job's partition. */
export interface TrainAfterJob {
  table: string;
  partition: string;
  settings: TrainSettings;
  schemasDir?: string;
  /** bqemulator's REST URL in tests; default BigQuery with Application Default Credentials. */
  bigqueryEndpoint?: string;
  /** `host:port` of the Vertex AI API (the tests' in-test server). */
  vertexEndpoint?: string;
}

export interface LaunchThenTrainOptions {
  polling: DonePolling;
  /** Told once the launch is accepted (or the running job of that name found), before the wait. */
  onLaunched?: (launch: LaunchResult) => void;
  /** Absent: only wait until the job is DONE. */
  train?: TrainAfterJob;
  /** Quota and availability errors of every call are retried (tests pass tiny delays). */
  retry?: RetryPolicy;
  /** Where the run is finalized when no training says it: bqemulator's REST URL in tests. */
  bigqueryEndpoint?: string;
  /** Told the finalized run's summary, before any training starts. */
  onFinalized?: (summary: JobSummary) => void;
}

export interface LaunchThenTrainResult {
  launch: LaunchResult;
  /** The job as last polled: DONE. */
  done: JobInfo;
  /** The run landed from its staging tables; absent when it staged nothing (see `finalizeLanded`). */
  finalized?: JobSummary;
  training?: TrainResult;
}

/** The dataset the job writes: its `dataset` (and `location`) template parameters, in the launch's project. */
export function landedWarehouse(
  plan: Plan<LaunchFlexTemplateRequest>,
  apiEndpoint?: string,
): Extract<WarehouseTarget, { kind: "bigquery" }> {
  const { projectId, launchParameter } = plan.request;
  const dataset = launchParameter.parameters.dataset;
  if (!dataset)
    throw new MissingSettingError(
      "dataset",
      `pass --dataset or set "dataflow.parameters.dataset" in rox.config.json: training reads what the job wrote there`,
    );
  const location = launchParameter.parameters.location;
  return {
    kind: "bigquery",
    projectId,
    dataset,
    ...(location ? { location } : {}),
    ...(apiEndpoint ? { apiEndpoint } : {}),
  };
}

/**
 * The training plan the chain would send, built before anything is launched (so a missing training setting stops the
 * launch, and `--dry-run` can print it). What only the landed rows can tell — the row count, and the trigger key that
 * names the job — reads `<resolved after the job>`; the run is the launch's `rox-run` label.
 */
export function planTrainingAfterLaunch(plan: Plan<LaunchFlexTemplateRequest>, train: TrainAfterJob): Plan {
  const target = cloudTargetFor(train.settings.target);
  const warehouse = landedWarehouse(plan, train.bigqueryEndpoint);
  const slice = resolveSlice({ table: train.table, partition: train.partition }, train.schemasDir);
  const lineage: PlannedLineage = {
    table: slice.table,
    partition: train.partition,
    rowCount: RESOLVED_AFTER_JOB,
    runId: plannedRunOf(plan) ?? RESOLVED_AFTER_JOB,
    schema: slice.contract.name,
    schemaVersion: slice.contract.version,
    trigger: RESOLVED_AFTER_JOB,
    ...trainingDataOf(slice, bigQueryDialect(warehouse)),
  };
  const planned = planCloudTraining(target, lineage, train.settings).plan;
  return {
    ...planned,
    summary: `once Dataflow job ${plan.request.launchParameter.jobName} is DONE: ${planned.summary}`,
  };
}

/** Launch (or reuse the running job), wait for DONE, then (given `train`) train on what the job landed. */
export async function launchThenTrain(
  api: DataflowApi,
  plan: Plan<LaunchFlexTemplateRequest>,
  o: LaunchThenTrainOptions,
): Promise<LaunchThenTrainResult> {
  if (o.train) planTrainingAfterLaunch(plan, o.train); // every training setting is checked before the launch
  const launch = await applyLaunch(api, plan, { retry: o.retry });
  o.onLaunched?.(launch);
  const done = await waitUntilDone(
    api,
    { project: plan.request.projectId, region: plan.request.location },
    launch.job,
    o.polling,
    { retry: o.retry },
  );
  const finalized = await finalizeLanded(
    plan,
    done,
    o.bigqueryEndpoint ?? o.train?.bigqueryEndpoint,
    o.train?.schemasDir,
  );
  if (finalized) o.onFinalized?.(finalized);
  const landed = { launch, done, ...(finalized ? { finalized } : {}) };
  if (!o.train) return landed;
  return { ...landed, training: await trainOnLanded(plan, done, o.train, o.retry) };
}

/**
 * A DONE batch run lands its staging tables (one transaction; a rerun adds nothing) before anything reads them. The run
 * is the job's own (its `rox-run` label): a launch that found the job already running reused a job launched with
 * another run id. Skipped for a job launched without a run id (a template that does not take it names no staging
 * tables) and for a run that left none: a template built before staging wrote the final tables itself.
 */
async function finalizeLanded(
  plan: Plan<LaunchFlexTemplateRequest>,
  done: JobInfo,
  apiEndpoint?: string,
  schemasDir?: string,
): Promise<JobSummary | undefined> {
  const { schema, replace, runId: planned } = plan.request.launchParameter.parameters;
  const runId = done.labels["rox-run"] ?? planned;
  if (!schema || !runId) return undefined;
  const { kind: _kind, ...target } = landedWarehouse(plan, apiEndpoint);
  const { finalizeRun, runWasStaged } = await import("./dataflow/finalize-run");
  if (!(await runWasStaged(target, schema, runId, schemasDir))) return undefined;
  return finalizeRun(target, { schema, runId, replace: replace === "true", schemasDir });
}

/** The lineage's run is the job's: its `rox-run` label (the rows carry the graph's own id), else its Dataflow id. */
async function trainOnLanded(
  plan: Plan<LaunchFlexTemplateRequest>,
  done: JobInfo,
  train: TrainAfterJob,
  retry?: RetryPolicy,
): Promise<TrainResult> {
  const target = landedWarehouse(plan, train.bigqueryEndpoint);
  const landedBy = done.labels["rox-run"] ?? plannedRunOf(plan) ?? done.id;
  return withWarehouse(target, (warehouse) =>
    runTraining({
      slice: { table: train.table, partition: train.partition },
      settings: train.settings,
      warehouse,
      dialect: bigQueryDialect(target),
      landedBy,
      schemasDir: train.schemasDir,
      vertexEndpoint: train.vertexEndpoint,
      retry,
    }),
  );
}

function plannedRunOf(plan: Plan<LaunchFlexTemplateRequest>): string | undefined {
  return plan.request.launchParameter.environment.additionalUserLabels["rox-run"];
}
