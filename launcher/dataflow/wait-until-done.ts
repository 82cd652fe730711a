import type { DataflowApi, JobInfo } from "./clients";
import { applyJobRequest, FAILED, launchFailure, type ApplyOptions } from "./apply";
import { planStatus } from "./plan-jobs";
import type { CloudTarget } from "./target";
import { RoxError } from "../../errors/rox-error";

/** How to poll a job until it is DONE: every `intervalMs`, at most `maxPolls` GetJob requests. */
export interface DonePolling {
  intervalMs: number;
  maxPolls: number;
  /** Tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Called with each state the job is seen in (the CLI prints a line). */
  onPoll?: (job: JobInfo, poll: number) => void;
}

/** A batch job's usual run is minutes; a day's partition rarely takes hours. */
export const DEFAULT_POLL_SECONDS = 30;
export const DEFAULT_MAX_WAIT_MINUTES = 180;

export const DONE = "JOB_STATE_DONE";

/** The job was still not DONE when the wait ended: nothing failed, but what was to follow it (training) did not start. */
export class JobWaitTimeoutError extends RoxError {
  readonly kind = "run-failed";
  constructor(
    readonly job: JobInfo,
    readonly polls: number,
    waitedMs: number,
  ) {
    super(
      `${job.name} (${job.id}) is still ${job.currentState ?? "in an unknown state"} after ${polls} polls (${Math.round(waitedMs / 1000)} s): not waiting longer (rox jobs status --job-id ${job.id})`,
    );
    this.name = "JobWaitTimeoutError";
  }
}

/**
 * Polls a job (one planned GetJob per poll, as `rox jobs status` sends it) until it is DONE. FAILED or CANCELLED end
 * the wait with `LaunchFailedError` and the job's error messages; no DONE within `maxPolls` is `JobWaitTimeoutError`.
 */
export async function waitUntilDone(
  api: DataflowApi,
  target: CloudTarget,
  job: JobInfo,
  polling: DonePolling,
  options: ApplyOptions = {},
): Promise<JobInfo> {
  const { intervalMs, maxPolls, sleep = delay } = polling;
  let current = job;
  for (let poll = 1; current.currentState !== DONE; poll++) {
    if (FAILED.includes(current.currentState ?? "")) throw await launchFailure(api, target, current, options);
    if (poll > maxPolls) throw new JobWaitTimeoutError(current, maxPolls, maxPolls * intervalMs);
    await sleep(intervalMs);
    current = await applyJobRequest(api, planStatus(target, job.id), options);
    polling.onPoll?.(current, poll);
  }
  return current;
}

/** `--poll-interval` seconds and `--max-wait` minutes as a polling plan (at least one poll). */
export function donePolling(
  pollSeconds = DEFAULT_POLL_SECONDS,
  maxWaitMinutes = DEFAULT_MAX_WAIT_MINUTES,
): DonePolling {
  const intervalMs = pollSeconds * 1000;
  return { intervalMs, maxPolls: Math.max(1, Math.ceil((maxWaitMinutes * 60_000) / intervalMs)) };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
