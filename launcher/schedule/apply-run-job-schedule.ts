/**
 * Sends the two plans of a scheduled Cloud Run job (run-job-plan.ts): the job (created, or replaced when it exists),
 * then its Scheduler trigger (created, or updated). A line for each on stdout. Shared by `rox schedule score|batch`.
 */
import type { ScheduleResult } from "./apply";
import type { RunJobResult } from "./run-job-apply";
import { CLOUD_RUN_ENDPOINT, type RunJobPlans } from "./run-job-plan";

export interface ScheduledRunJobResult {
  job: RunJobResult;
  schedule: ScheduleResult;
}

export interface RunJobEndpoints {
  /** The Cloud Run Admin API's URL (an in-test server); default run.googleapis.com with ADC's token. */
  runEndpoint?: string;
  /** Cloud Scheduler's `host:port` (an in-test server). */
  schedulerEndpoint?: string;
}

export async function applyScheduledRunJob(
  plans: RunJobPlans,
  endpoints: RunJobEndpoints,
): Promise<ScheduledRunJobResult> {
  const { applyRunJob } = await import("./run-job-apply");
  const { runEndpoint } = endpoints;
  const token = runEndpoint ? undefined : (await import("../train/clients")).adcAccessToken;
  const job = await applyRunJob(plans.job, {
    endpoint: runEndpoint ?? CLOUD_RUN_ENDPOINT,
    token: token && (() => token("the Cloud Run Admin API")),
  });
  console.log(`${job.action} Cloud Run job ${plans.job.request.jobId} (operation ${job.operation})`);
  const { createSchedulerApi } = await import("./clients");
  const { applySchedule } = await import("./apply");
  const api = await createSchedulerApi(endpoints.schedulerEndpoint);
  try {
    const scheduled = await applySchedule(api, plans.schedule);
    const { name, schedule: cron, timeZone } = scheduled.job;
    console.log(`${scheduled.action} Cloud Scheduler job ${name}: "${cron}" (${timeZone})`);
    return { job, schedule: scheduled };
  } finally {
    await api.close();
  }
}
