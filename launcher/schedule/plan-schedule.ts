import type { Plan } from "../plan";
import { toJobName } from "../dataflow/names";
import { planLaunch } from "../dataflow/plan-launch";
import type { DataflowSettings } from "../dataflow/settings";
import { parseCron } from "./cron";
import {
  CLOUD_SCHEDULER,
  type CreateSchedulerJobRequest,
  type SchedulerJob,
  type UpdateSchedulerJobRequest,
} from "./requests";
import type { ScheduleSettings } from "./settings";
import { checkTimeZone } from "./zoned-clock";

export interface ScheduleFlags {
  cron: string;
  /** Batch input with `{date}` where the partition's date goes: `gs://b/events/dt={date}/*`. */
  inputTemplate: string;
  schema: { name: string; version: number };
  /** `--param name=value` for the launch. */
  parameters?: Record<string, string>;
  /** Scheduler job id; default `rox-batch-<schema>`. */
  jobId?: string;
}

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
/** Scheduler retries a failed launch call; a launch it repeats cannot start a second job (see below). */
const RETRIES = 3;

/**
 * A Cloud Scheduler job that, on each tick of the cron expression, POSTs the batch job's launch request to Dataflow's
 * REST `flexTemplates:launch` with an OAuth token of the service account.
 *
 * How the date gets in: Cloud Scheduler has no templating, so the body is the same on every tick. The launch therefore
 * carries `input` with `{date}` still in it, and the template's entry point replaces `{date}` when the job starts with
 * the day before its own start (UTC): the partition that a daily run after midnight processes. (Locally,
 * `rox schedule --local` does the same per tick, in the schedule's zone.) For the same reason the job name is fixed,
 * `rox-batch-<schema>-scheduled`: Dataflow allows one active job per name, so a tick that comes while the previous
 * day's run is still going (or a Scheduler retry) fails instead of running the pipeline twice at once.
 */
export function planSchedule(
  schedule: ScheduleSettings,
  dataflow: DataflowSettings,
  flags: ScheduleFlags,
): Plan<CreateSchedulerJobRequest> {
  parseCron(flags.cron);
  checkTimeZone(schedule.timeZone);
  const jobId = flags.jobId ?? toJobName(["rox", "batch", flags.schema.name]);
  const launch = planLaunch(
    "batch",
    { ...dataflow, labels: { ...dataflow.labels, "rox-schedule": jobId } },
    {
      schema: flags.schema,
      input: flags.inputTemplate,
      dateAtRun: true,
      parameters: flags.parameters,
      jobName: toJobName(["rox", "batch", flags.schema.name, "scheduled"]),
    },
  );
  const { projectId, location, ...body } = launch.request;
  const jobName = launch.request.launchParameter.jobName;
  return planHttpSchedule(schedule, {
    jobId,
    cron: flags.cron,
    description: `rox: launch the ${flags.schema.name} batch job (${jobName}) for the previous day's partition`,
    uri: `https://dataflow.googleapis.com/v1b3/projects/${projectId}/locations/${location}/flexTemplates:launch`,
    body,
    what: jobName,
  });
}

/** What a Scheduler job calls on each tick: a Google API's URI, POSTed with a JSON body and the account's token. */
export interface HttpScheduleTarget {
  jobId: string;
  cron: string;
  description: string;
  uri: string;
  body: unknown;
  /** What the summary says is scheduled. */
  what: string;
}

/** The Cloud Scheduler CreateJob for any HTTP target (Dataflow's launch, a Cloud Run job's `:run`). */
export function planHttpSchedule(
  schedule: ScheduleSettings,
  target: HttpScheduleTarget,
): Plan<CreateSchedulerJobRequest> {
  parseCron(target.cron);
  checkTimeZone(schedule.timeZone);
  const parent = `projects/${schedule.project}/locations/${schedule.region}`;
  const job: SchedulerJob = {
    name: `${parent}/jobs/${target.jobId}`,
    description: target.description,
    schedule: target.cron,
    timeZone: schedule.timeZone,
    httpTarget: {
      uri: target.uri,
      httpMethod: "POST",
      headers: { "Content-Type": "application/json" },
      body: Buffer.from(JSON.stringify(target.body)).toString("base64"),
      oauthToken: { serviceAccountEmail: schedule.serviceAccountEmail, scope: SCOPE },
    },
    retryConfig: { retryCount: RETRIES },
  };
  return {
    summary:
      `schedule ${target.what} at "${target.cron}" (${schedule.timeZone}) as Cloud Scheduler job ${target.jobId}` +
      ` in ${schedule.project}/${schedule.region}`,
    service: CLOUD_SCHEDULER,
    method: "CreateJob",
    request: { parent, job },
  };
}

/** The update that makes an existing Scheduler job equal to the planned one: what `apply` sends on ALREADY_EXISTS. */
export function planScheduleUpdate(create: Plan<CreateSchedulerJobRequest>): Plan<UpdateSchedulerJobRequest> {
  return {
    summary: create.summary.replace(/^schedule /, "update the schedule of "),
    service: CLOUD_SCHEDULER,
    method: "UpdateJob",
    request: {
      job: create.request.job,
      updateMask: { paths: ["description", "schedule", "time_zone", "http_target", "retry_config"] },
    },
  };
}

/** The launch request inside a planned Scheduler job, decoded from its body: what Dataflow will receive on each tick. */
export function scheduledLaunchBody(job: SchedulerJob): unknown {
  return JSON.parse(Buffer.from(job.httpTarget.body, "base64").toString("utf8"));
}
