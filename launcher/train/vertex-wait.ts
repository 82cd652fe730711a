/**
 * `rox train --target vertex-custom-job --wait-until-done`: poll the CustomJob (GetCustomJob) until Vertex AI says it
 * ended. A job that SUCCEEDED wrote its model to `AIP_MODEL_DIR` = `<baseOutputDirectory>/model`, which is what the
 * register step of the ML pipeline takes; a FAILED, CANCELLED or EXPIRED job is `TrainingJobFailedError` with the
 * job's own error message.
 */
import type { RetryPolicy } from "../cloud/retry";
import { RoxError } from "../../errors/rox-error";
import { callWithRetry, type SubmittedJob } from "./call";
import { JOB_SERVICE } from "./vertex-plans";

export const SUCCEEDED = "JOB_STATE_SUCCEEDED";
const ENDED_WITHOUT_MODEL = ["JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"];

/** A CustomJob as GetCustomJob answers it: the state's name, the job's error, its output folder. */
export interface VertexJobStatus {
  name: string;
  displayName: string;
  state: string;
  /** `error.message` (a google.rpc.Status), set when the job failed. */
  error?: string;
  /** `jobSpec.baseOutputDirectory.outputUriPrefix`. */
  outputDirectory?: string;
}

export interface VertexJobPoller {
  getCustomJob(request: { name: string }): Promise<VertexJobStatus>;
}

/** Every `intervalMs`, at most `maxPolls` GetCustomJob requests (`donePolling` of the Dataflow wait makes one). */
export interface JobPolling {
  intervalMs: number;
  maxPolls: number;
  /** Tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  onPoll?: (job: VertexJobStatus, poll: number) => void;
}

/** The job ended without a model: failed, cancelled, or expired in the queue. */
export class TrainingJobFailedError extends RoxError {
  readonly kind = "run-failed";
  constructor(
    readonly job: VertexJobStatus,
    reason: string,
  ) {
    super(`Vertex AI CustomJob ${job.name} ended ${job.state}: ${reason}`);
    this.name = "TrainingJobFailedError";
  }
}

/** The job had not ended when the wait did: it may still train, but nothing that follows it starts. */
export class TrainingJobWaitTimeoutError extends RoxError {
  readonly kind = "run-failed";
  constructor(job: VertexJobStatus, polls: number) {
    super(`Vertex AI CustomJob ${job.name} is still ${job.state} after ${polls} polls: not waiting longer`);
    this.name = "TrainingJobWaitTimeoutError";
  }
}

/** Polls until the job ends; resolves with the submitted job, its final state and the model's folder. */
export async function waitForCustomJob(
  client: VertexJobPoller,
  submitted: SubmittedJob,
  polling: JobPolling,
  retry?: RetryPolicy,
): Promise<SubmittedJob> {
  const { intervalMs, maxPolls, sleep = delay } = polling;
  const get = () =>
    callWithRetry(JOB_SERVICE, "GetCustomJob", () => client.getCustomJob({ name: submitted.name }), retry);
  let job = await get();
  polling.onPoll?.(job, 1);
  for (let poll = 2; job.state !== SUCCEEDED; poll++) {
    if (ENDED_WITHOUT_MODEL.includes(job.state))
      throw new TrainingJobFailedError(job, job.error || "Vertex AI gave no error message");
    if (poll > maxPolls) throw new TrainingJobWaitTimeoutError(job, maxPolls);
    await sleep(intervalMs);
    job = await get();
    polling.onPoll?.(job, poll);
  }
  if (!job.outputDirectory)
    throw new TrainingJobFailedError(job, "the job names no baseOutputDirectory, so there is no AIP_MODEL_DIR to read");
  return { ...submitted, state: job.state, modelDir: modelDirOf(job.outputDirectory) };
}

/** Vertex AI's `AIP_MODEL_DIR` for a job: `<baseOutputDirectory>/model`. */
export function modelDirOf(outputDirectory: string): string {
  return `${outputDirectory.replace(/\/+$/, "")}/model`;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
