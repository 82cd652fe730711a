/**
 * A Cloud Run job whose one container runs `rox …`, and the Cloud Scheduler job that POSTs its `:run` on the cron
 * (REST field names of google/cloud/run/v2). Shared by `rox schedule score` and `rox schedule batch` with
 * `--target cloud-run-job`: each says only what the container runs.
 */
import { UsageError } from "../errors";
import type { Plan } from "../plan";
import { planHttpSchedule } from "./plan-schedule";
import type { CreateSchedulerJobRequest } from "./requests";
import type { ScheduleSettings } from "./settings";

export const CLOUD_RUN_JOBS = "google.cloud.run.v2.Jobs";
export const CLOUD_RUN_ENDPOINT = "https://run.googleapis.com";
/** A Cloud Run job's id (the Scheduler job takes the same): a DNS label. */
const JOB_ID = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Cloud Run's longest task timeout: 168 hours. */
export const MAX_TASK_SECONDS = 168 * 3600;

/** The Job resource as created (`template.template` is the TaskTemplate of its ExecutionTemplate). */
export interface RunJob {
  /** Set on replace only: the create takes the id as `jobId`. */
  name?: string;
  labels: Record<string, string>;
  template: {
    taskCount: number;
    template: {
      /** `rox` on the image's PATH, as the KFP pipeline's steps run it (python/rox_ml/pipeline.py). */
      containers: { image: string; command: string[]; args: string[] }[];
      serviceAccount: string;
      maxRetries: number;
      timeout: string;
    };
  };
}

/** `POST /v2/{parent}/jobs?jobId=…` */
export interface CreateRunJobRequest {
  parent: string;
  jobId: string;
  job: RunJob;
}

/** `PATCH /v2/{job.name}`: the existing job replaced by the planned one. */
export interface ReplaceRunJobRequest {
  job: RunJob & { name: string };
}

/** What one scheduled `rox` run is: the command line of its container and how the plans describe it. */
export interface ScheduledRunJob {
  /** Cloud Run and Scheduler job id. */
  jobId: string;
  cron: string;
  image: string;
  /** `rox`'s arguments in the container. */
  args: string[];
  labels: Record<string, string>;
  /** The account the job runs as; default the scheduler's. */
  jobServiceAccount?: string;
  /** A failed task is started again this many times (each a whole new run). */
  maxRetries: number;
  timeoutSeconds: number;
  /** `rox score flights-delay@champion on flights`: what the summaries and the Scheduler job's description say. */
  what: string;
  /** What the run is for, in the Scheduler job's description: `for the previous day`. */
  when: string;
}

export interface RunJobPlans {
  job: Plan<CreateRunJobRequest>;
  schedule: Plan<CreateSchedulerJobRequest>;
}

export function planScheduledRunJob(schedule: ScheduleSettings, run: ScheduledRunJob): RunJobPlans {
  if (!JOB_ID.test(run.jobId))
    throw new UsageError(
      `Cloud Run job id "${run.jobId}": lowercase letters, digits and hyphens, starting with a letter, ` +
        "≤ 63 (--job-id)",
    );
  if (run.timeoutSeconds > MAX_TASK_SECONDS)
    throw new UsageError(`a Cloud Run task runs at most 168 hours; this one would need ${run.timeoutSeconds} s`);
  const parent = `projects/${schedule.project}/locations/${schedule.region}`;
  const job: RunJob = {
    labels: run.labels,
    template: {
      taskCount: 1,
      template: {
        containers: [{ image: run.image, command: ["rox"], args: run.args }],
        serviceAccount: run.jobServiceAccount ?? schedule.serviceAccountEmail,
        maxRetries: run.maxRetries,
        timeout: `${run.timeoutSeconds}s`,
      },
    },
  };
  const name = `${parent}/jobs/${run.jobId}`;
  return {
    job: {
      summary: `create Cloud Run job ${run.jobId} in ${schedule.project}/${schedule.region}: ${run.what}`,
      service: CLOUD_RUN_JOBS,
      method: `POST /v2/${parent}/jobs`,
      request: { parent, jobId: run.jobId, job },
    },
    schedule: planHttpSchedule(schedule, {
      jobId: run.jobId,
      cron: run.cron,
      description: `rox: run the Cloud Run job ${run.jobId} (${run.what}) ${run.when}`,
      uri: `${CLOUD_RUN_ENDPOINT}/v2/${name}:run`,
      body: {},
      what: `Cloud Run job ${run.jobId}`,
    }),
  };
}

/** What apply sends when the job exists (HTTP 409): the whole job, replaced. */
export function planReplaceRunJob(create: Plan<CreateRunJobRequest>): Plan<ReplaceRunJobRequest> {
  const name = `${create.request.parent}/jobs/${create.request.jobId}`;
  return {
    summary: create.summary.replace(/^create /, "replace "),
    service: CLOUD_RUN_JOBS,
    method: `PATCH /v2/${name}`,
    request: { job: { name, ...create.request.job } },
  };
}
