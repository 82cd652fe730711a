/**
 * `rox schedule score --target cloud-run-job`, planned: a Cloud Run job whose container runs `rox score` for the day
 * before its start, and a Cloud Scheduler job that runs it on the cron (REST field names of google/cloud/run/v2).
 */
import { UsageError } from "../errors";
import type { Plan } from "../plan";
import { toJobName } from "../dataflow/names";
import { planHttpSchedule } from "../schedule/plan-schedule";
import type { CreateSchedulerJobRequest } from "../schedule/requests";
import type { ScheduleSettings } from "../schedule/settings";
import { parseModelRef } from "./model-ref";

export const CLOUD_RUN_JOBS = "google.cloud.run.v2.Jobs";
export const CLOUD_RUN_ENDPOINT = "https://run.googleapis.com";
/** A failed scoring run is tried once more; a rerun of a day is idempotent per (partition, model version). */
const MAX_RETRIES = 1;
const TIMEOUT = "3600s";
/** A Cloud Run job's id (the Scheduler job takes the same): a DNS label. */
const JOB_ID = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

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

export interface ScoreJobFlags {
  cron: string;
  image: string;
  /** `name@alias` or `name@version`, passed to `rox score` as given. */
  model: string;
  on: string;
  /** Cloud Run and Scheduler job id; default `rox-score-<model name>`. */
  jobId?: string;
  /** The account the job runs as; default the scheduler's. */
  jobServiceAccount?: string;
  /** `rox score`'s warehouse flags (`--warehouse bigquery --project … --dataset …`) and `--store gs://…`. */
  scoreArgs: string[];
}

export interface ScoreJobPlans {
  job: Plan<CreateRunJobRequest>;
  schedule: Plan<CreateSchedulerJobRequest>;
}

/** The container's command line: `rox score` of yesterday in the schedule's zone, resolved when the job starts. */
export function scoreJobArgs(flags: ScoreJobFlags, timeZone: string): string[] {
  const day = ["--partition", "yesterday", "--time-zone", timeZone];
  return ["score", "--model", flags.model, "--on", flags.on, ...day, ...flags.scoreArgs];
}

export function planScoreJob(schedule: ScheduleSettings, flags: ScoreJobFlags): ScoreJobPlans {
  const model = parseModelRef(flags.model).name;
  const jobId = flags.jobId ?? toJobName(["rox", "score", model]);
  if (!JOB_ID.test(jobId))
    throw new UsageError(
      `Cloud Run job id "${jobId}": lowercase letters, digits and hyphens, starting with a letter, ≤ 63 (--job-id)`,
    );
  const parent = `projects/${schedule.project}/locations/${schedule.region}`;
  const job: RunJob = {
    labels: { "rox-job": "score", "rox-model": toJobName([model]) },
    template: {
      taskCount: 1,
      template: {
        containers: [{ image: flags.image, command: ["rox"], args: scoreJobArgs(flags, schedule.timeZone) }],
        serviceAccount: flags.jobServiceAccount ?? schedule.serviceAccountEmail,
        maxRetries: MAX_RETRIES,
        timeout: TIMEOUT,
      },
    },
  };
  const name = `${parent}/jobs/${jobId}`;
  const where = `${schedule.project}/${schedule.region}`;
  return {
    job: {
      summary: `create Cloud Run job ${jobId} in ${where}: rox score ${flags.model} on ${flags.on}`,
      service: CLOUD_RUN_JOBS,
      method: `POST /v2/${parent}/jobs`,
      request: { parent, jobId, job },
    },
    schedule: planHttpSchedule(schedule, {
      jobId,
      cron: flags.cron,
      description: `rox: run the Cloud Run job ${jobId} (rox score ${flags.model} on ${flags.on}) for the previous day`,
      uri: `${CLOUD_RUN_ENDPOINT}/v2/${name}:run`,
      body: {},
      what: `Cloud Run job ${jobId}`,
    }),
  };
}

/** What apply sends when the job exists (HTTP 409): the whole job, replaced. */
export function planReplaceScoreJob(create: Plan<CreateRunJobRequest>): Plan<ReplaceRunJobRequest> {
  const name = `${create.request.parent}/jobs/${create.request.jobId}`;
  return {
    summary: create.summary.replace(/^create /, "replace "),
    service: CLOUD_RUN_JOBS,
    method: `PATCH /v2/${name}`,
    request: { job: { name, ...create.request.job } },
  };
}
