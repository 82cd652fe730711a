import { CloudApiError } from "../cloud/errors";
import type { RetryPolicy } from "../cloud/retry";
import type { Plan } from "../plan";
import { callWithRetry, type SubmittedJob } from "./call";
import {
  JOB_SERVICE,
  PIPELINE_SERVICE,
  type CreateCustomJobRequest,
  type CreatePipelineJobRequest,
} from "./vertex-plans";

/** A Vertex job as the apply needs it: state as the enum's name (`JOB_STATE_RUNNING`, `PIPELINE_STATE_RUNNING`). */
export interface VertexJob {
  name: string;
  displayName: string;
  state: string;
}

/** The slice of the JobService the apply uses; `clients.ts` adapts the real client to it. */
export interface VertexJobClient {
  listCustomJobs(request: { parent: string; filter: string }): Promise<VertexJob[]>;
  createCustomJob(request: CreateCustomJobRequest): Promise<VertexJob>;
}

export interface VertexPipelineClient {
  createPipelineJob(request: CreatePipelineJobRequest): Promise<VertexJob>;
  getPipelineJob(request: { name: string }): Promise<VertexJob>;
}

/** A job in one of these states did not train: a new trigger for the same data starts a fresh one. */
const ENDED_WITHOUT_MODEL = new Set([
  "JOB_STATE_FAILED",
  "JOB_STATE_CANCELLING",
  "JOB_STATE_CANCELLED",
  "JOB_STATE_EXPIRED",
]);

/**
 * CreateCustomJob has no caller-chosen id, so idempotency comes from the lineage labels: a job already labelled with
 * the same `rox_trigger` (same table, partition, rows, run and schema) that has not failed is reused.
 */
export async function applyVertexCustomJob(
  plan: Plan<CreateCustomJobRequest>,
  client: VertexJobClient,
  retry?: RetryPolicy,
): Promise<SubmittedJob> {
  const { parent, customJob } = plan.request;
  const filter = `labels.rox_trigger="${customJob.labels.rox_trigger}"`;
  const earlier = await callWithRetry(
    JOB_SERVICE,
    "ListCustomJobs",
    () => client.listCustomJobs({ parent, filter }),
    retry,
  );
  const live = earlier.find((job) => !ENDED_WITHOUT_MODEL.has(job.state));
  if (live) return { ...live, reused: true };
  const job = await callWithRetry(JOB_SERVICE, plan.method, () => client.createCustomJob(plan.request), retry);
  return { ...job, reused: false };
}

/** The pipeline job id comes from the data: ALREADY_EXISTS means this data's job was started before, so it is reused. */
export async function applyVertexPipelineJob(
  plan: Plan<CreatePipelineJobRequest>,
  client: VertexPipelineClient,
  retry?: RetryPolicy,
): Promise<SubmittedJob> {
  try {
    const job = await callWithRetry(PIPELINE_SERVICE, plan.method, () => client.createPipelineJob(plan.request), retry);
    return { ...job, reused: false };
  } catch (err) {
    if (!(err instanceof CloudApiError && err.failure === "already-exists")) throw err;
    const name = `${plan.request.parent}/pipelineJobs/${plan.request.pipelineJobId}`;
    const job = await callWithRetry(PIPELINE_SERVICE, "GetPipelineJob", () => client.getPipelineJob({ name }), retry);
    return { ...job, reused: true };
  }
}
