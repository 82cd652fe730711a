import { CloudApiError } from "../cloud/errors";
import type { RetryPolicy } from "../cloud/retry";
import type { Plan } from "../plan";
import type { DataflowApi, JobInfo } from "./clients";
import { LaunchFailedError } from "./errors";
import { planFindActiveJob, planJobErrors, planStatus } from "./plan-jobs";
import { sendPlan } from "../cloud/send-plan";
import type { GetJobRequest, LaunchFlexTemplateRequest, UpdateJobRequest } from "./requests";
import type { CloudTarget } from "./target";

export interface ApplyOptions {
  /** Quota and availability errors are retried with backoff (tests pass tiny delays). */
  retry?: RetryPolicy;
}

export interface LaunchOptions extends ApplyOptions {
  /** Poll the new job until it runs, or fails with the launcher's error; without it, return once accepted. */
  wait?: { intervalMs: number; maxPolls: number; sleep?: (ms: number) => Promise<void> };
}

export interface LaunchResult {
  job: JobInfo;
  /** True when a job of this name was already active (a repeated launch): it is returned instead of a second one. */
  reused: boolean;
}

const STARTED = ["JOB_STATE_RUNNING", "JOB_STATE_DONE"];
/** Terminal states in which the job did not do its work (also what `waitUntilDone` stops on). */
export const FAILED = ["JOB_STATE_FAILED", "JOB_STATE_CANCELLED"];

/** Sends a launch; ALREADY_EXISTS means this job is already running, so it is found and reused (idempotent). */
export async function applyLaunch(
  api: DataflowApi,
  plan: Plan<LaunchFlexTemplateRequest>,
  options: LaunchOptions = {},
): Promise<LaunchResult> {
  const target = targetOf(plan.request);
  const result = await launchOrReuse(api, plan, target, options);
  if (options.wait && !result.reused) result.job = await waitUntilStarted(api, target, result.job, options);
  return result;
}

/** Sends a GetJob or an UpdateJob (status, cancel, drain) and returns the job as the API answered it. */
export async function applyJobRequest(
  api: DataflowApi,
  plan: Plan<GetJobRequest | UpdateJobRequest>,
  options: ApplyOptions = {},
): Promise<JobInfo> {
  const request = plan.request;
  return send(plan, () => ("view" in request ? api.getJob(request) : api.updateJob(request)), options);
}

async function launchOrReuse(
  api: DataflowApi,
  plan: Plan<LaunchFlexTemplateRequest>,
  target: CloudTarget,
  options: ApplyOptions,
): Promise<LaunchResult> {
  const name = plan.request.launchParameter.jobName;
  try {
    const job = await send(plan, () => api.launchFlexTemplate(plan.request), options);
    return { job: job ?? { id: "", name, labels: {} }, reused: false };
  } catch (err) {
    if (!(err instanceof CloudApiError && err.failure === "already-exists")) throw err;
    const find = planFindActiveJob(target, name);
    const [active] = await send(find, () => api.listJobs(find.request), options);
    if (!active) throw err;
    return { job: active, reused: true };
  }
}

async function waitUntilStarted(
  api: DataflowApi,
  target: CloudTarget,
  job: JobInfo,
  options: LaunchOptions,
): Promise<JobInfo> {
  const { intervalMs, maxPolls, sleep = delay } = options.wait!;
  let current = job;
  for (let poll = 0; poll < maxPolls && !STARTED.includes(current.currentState ?? ""); poll++) {
    if (FAILED.includes(current.currentState ?? "")) throw await launchFailure(api, target, current, options);
    await sleep(intervalMs);
    current = await applyJobRequest(api, planStatus(target, job.id), options);
  }
  if (FAILED.includes(current.currentState ?? "")) throw await launchFailure(api, target, current, options);
  return current;
}

/** The launcher's own error: Dataflow records why a template launch (or the job) failed as the job's error messages. */
export async function launchFailure(
  api: DataflowApi,
  target: CloudTarget,
  job: JobInfo,
  options: ApplyOptions,
): Promise<LaunchFailedError> {
  const plan = planJobErrors(target, job.id);
  const errors = await send(plan, () => api.listJobMessages(plan.request), options);
  return new LaunchFailedError(job.id, job.name, job.currentState ?? "an unknown state", errors);
}

function send<T>(plan: Plan, call: () => Promise<T>, options: ApplyOptions): Promise<T> {
  return sendPlan(plan, call, options.retry);
}

function targetOf(request: LaunchFlexTemplateRequest): CloudTarget {
  return { project: request.projectId, region: request.location };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
