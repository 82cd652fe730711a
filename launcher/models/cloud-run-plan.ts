/**
 * `rox schedule score --target cloud-run-job`, planned: a Cloud Run job whose container runs `rox score` for the day
 * before its start, and a Cloud Scheduler job that runs it on the cron (the shared plan: schedule/run-job-plan.ts).
 */
import { toJobName } from "../dataflow/names";
import { planScheduledRunJob, type RunJobPlans } from "../schedule/run-job-plan";
import type { ScheduleSettings } from "../schedule/settings";
import { parseModelRef } from "./model-ref";

/** A failed scoring run is tried once more; a rerun of a day is idempotent per (partition, model version). */
const MAX_RETRIES = 1;
const TIMEOUT_SECONDS = 3600;

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
  /** How long one run may take (default an hour); a run on Dataflow waits for its job (`--max-wait`). */
  timeoutSeconds?: number;
}

export type ScoreJobPlans = RunJobPlans;

/** The container's command line: `rox score` of yesterday in the schedule's zone, resolved when the job starts. */
export function scoreJobArgs(flags: ScoreJobFlags, timeZone: string): string[] {
  const day = ["--partition", "yesterday", "--time-zone", timeZone];
  return ["score", "--model", flags.model, "--on", flags.on, ...day, ...flags.scoreArgs];
}

export function planScoreJob(schedule: ScheduleSettings, flags: ScoreJobFlags): ScoreJobPlans {
  const model = parseModelRef(flags.model).name;
  return planScheduledRunJob(schedule, {
    jobId: flags.jobId ?? toJobName(["rox", "score", model]),
    cron: flags.cron,
    image: flags.image,
    args: scoreJobArgs(flags, schedule.timeZone),
    labels: { "rox-job": "score", "rox-model": toJobName([model]) },
    jobServiceAccount: flags.jobServiceAccount,
    maxRetries: MAX_RETRIES,
    timeoutSeconds: flags.timeoutSeconds ?? TIMEOUT_SECONDS,
    what: `rox score ${flags.model} on ${flags.on}`,
    when: "for the previous day",
  });
}
