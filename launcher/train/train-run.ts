import type { Warehouse } from "../../io/ports";
import type { RetryPolicy } from "../cloud/retry";
import type { Plan } from "../plan";
import type { SubmittedJob } from "./call";
import { describeSlice, lineageOf, type TrainingLineage, type TrainingSlice } from "./lineage";
import type { KubeflowRunRequest } from "./kubeflow-plan";
import { applyLocalTraining, planLocalTraining, type LocalTrainingResult } from "./local-train";
import { checkTargetReadsWarehouse, planCloudTraining, type CloudTrainingPlan } from "./plan-training";
import type { TrainSettings } from "./settings";
import { DUCKDB_DIALECT, type SliceDialect } from "./slice-dialect";
import type { CreateCustomJobRequest, CreatePipelineJobRequest } from "./vertex-plans";
import type { JobPolling } from "./vertex-wait";
import { readSliceFacts, resolveSlice } from "./warehouse-slice";
import { RoxError } from "../../errors/rox-error";

/** The slice holds no rows: there is nothing to train on (a typo in the partition, or the data has not landed). */
export class NoTrainingDataError extends RoxError {
  readonly kind = "input";
  constructor(slice: TrainingSlice) {
    super(`${describeSlice(slice)} holds no rows: nothing to train on`);
    this.name = "NoTrainingDataError";
  }
}

export interface TrainOptions {
  slice: TrainingSlice;
  settings: TrainSettings;
  warehouse: Warehouse;
  /** The warehouse's SQL (default DuckDB's); BigQuery's also gives cloud trainers the slice's `bq://` URI. */
  dialect?: SliceDialect;
  /** The run known to have landed the slice (a Dataflow job's `rox-run`): the lineage's run, see `lineageOf`. */
  landedBy?: string;
  dryRun?: boolean;
  schemasDir?: string;
  /** Tests only: where the real clients connect, the Kubeflow token source, and the retry delays. */
  /** `host:port` of a Vertex AI API server (the tests' in-test server); default: the regional endpoint. */
  vertexEndpoint?: string;
  kubeflowToken?: () => Promise<string | undefined>;
  retry?: RetryPolicy;
  /** Local target: copy the trainer's output to this process's stdout/stderr (default true). */
  echo?: boolean;
  /** `vertex-custom-job`: poll the job until it ends, and report the model's folder (`--wait-until-done`). */
  wait?: JobPolling;
}

/** What sending a cloud plan needs besides the plan: the settings and where the clients connect. */
export type TrainClientOptions = Pick<TrainOptions, "settings" | "vertexEndpoint" | "kubeflowToken" | "retry" | "wait">;

export interface TrainResult {
  target: TrainSettings["target"];
  lineage: TrainingLineage;
  plan: Plan;
  dryRun: boolean;
  /** Cloud targets: the job or run started (or reused). */
  job?: SubmittedJob;
  /** Local target: the trainer's outputs. */
  local?: LocalTrainingResult;
}

/** Lineage from the warehouse → the target's plan → (unless a dry run) apply it. */
export async function runTraining(o: TrainOptions): Promise<TrainResult> {
  const sql = o.dialect ?? DUCKDB_DIALECT;
  checkTargetReadsWarehouse(o.settings.target, sql.kind);
  const slice = resolveSlice(o.slice, o.schemasDir);
  const lineage = lineageOf(await readSliceFacts(o.warehouse, slice, sql), o.landedBy);
  if (!lineage) throw new NoTrainingDataError(o.slice);
  const base = { target: o.settings.target, lineage, dryRun: o.dryRun ?? false };
  if (o.settings.target === "local") {
    const plan = planLocalTraining(lineage, slice, o.settings);
    return base.dryRun
      ? { ...base, plan }
      : { ...base, plan, local: await applyLocalTraining(plan, o.warehouse, { echo: o.echo }) };
  }
  const planned = planCloudTraining(o.settings.target, lineage, o.settings);
  return base.dryRun
    ? { ...base, plan: planned.plan }
    : { ...base, plan: planned.plan, job: await submitCloudTraining(planned, o) };
}

/** Sends a cloud target's plan with the target's client; the same for `rox train` and a launch that trains after. */
export function submitCloudTraining(planned: CloudTrainingPlan, o: TrainClientOptions): Promise<SubmittedJob> {
  switch (planned.target) {
    case "vertex-custom-job":
      return submitCustomJob(planned.plan, o);
    case "vertex-pipeline":
      return submitPipelineJob(planned.plan, o);
    case "kubeflow":
      return submitKubeflowRun(planned.plan, o);
  }
}

// Clients are created only below, once the plan (and so every setting) is known to be complete.

async function submitCustomJob(plan: Plan<CreateCustomJobRequest>, o: TrainClientOptions): Promise<SubmittedJob> {
  const { openVertexJobClient } = await import("./clients");
  const { applyVertexCustomJob } = await import("./vertex-apply");
  const client = await openVertexJobClient(o.settings.region ?? "", o.vertexEndpoint);
  try {
    const job = await applyVertexCustomJob(plan, client, o.retry);
    if (!o.wait) return job;
    const { waitForCustomJob } = await import("./vertex-wait");
    return await waitForCustomJob(client, job, o.wait, o.retry);
  } finally {
    await client.close();
  }
}

async function submitPipelineJob(plan: Plan<CreatePipelineJobRequest>, o: TrainClientOptions): Promise<SubmittedJob> {
  const { openVertexPipelineClient } = await import("./clients");
  const { applyVertexPipelineJob } = await import("./vertex-apply");
  const client = await openVertexPipelineClient(o.settings.region ?? "", o.vertexEndpoint);
  try {
    return await applyVertexPipelineJob(plan, client, o.retry);
  } finally {
    await client.close();
  }
}

async function submitKubeflowRun(plan: Plan<KubeflowRunRequest>, o: TrainClientOptions): Promise<SubmittedJob> {
  const { applyKubeflowRun } = await import("./kubeflow-apply");
  const token =
    o.kubeflowToken ?? (o.settings.kubeflow.auth === "adc" ? (await import("./clients")).adcAccessToken : undefined);
  return applyKubeflowRun(plan, { token }, o.retry);
}
