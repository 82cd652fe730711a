/** `rox schedule score --target cloud-run-job`: parse → plan (cloud-run-plan.ts) → print or send → render. */
import { requireFlag } from "../args";
import { loadConfig } from "../config";
import { renderPlans } from "../plan";
import type { ScheduleResult } from "../schedule/apply";
import { resolveScheduleSettings } from "../schedule/settings";
import { warehouseTarget } from "../warehouse";
import { CLOUD_RUN_ENDPOINT, planScoreJob, type ScoreJobPlans } from "./cloud-run-plan";
import type { RunJobResult } from "./cloud-run-apply";
import type { ScheduleScoreValues } from "./schedule-score-values";

export interface ScoreScheduleResult {
  job: RunJobResult;
  schedule: ScheduleResult;
}

export async function scheduleScoreOnCloudRun(
  values: ScheduleScoreValues,
): Promise<ScoreJobPlans | ScoreScheduleResult> {
  const config = loadConfig(values.config);
  const schedule = resolveScheduleSettings(config, {
    project: values.project,
    region: values.region,
    serviceAccountEmail: values["service-account"],
    timeZone: values["time-zone"],
  });
  const plans = planScoreJob(schedule, {
    cron: requireFlag(values.cron, "cron"),
    image: requireFlag(values.image, "image"),
    model: requireFlag(values.model, "model"),
    on: requireFlag(values.on, "on"),
    jobId: values["job-id"],
    jobServiceAccount: values["job-service-account"],
    scoreArgs: scoreArgsOf(values, schedule.project),
  });
  if (values["dry-run"]) {
    console.log(renderPlans([plans.job, plans.schedule]));
    return plans;
  }
  const { applyScoreJob } = await import("./cloud-run-apply");
  const runEndpoint = values["run-endpoint"];
  const token = runEndpoint ? undefined : (await import("../train/clients")).adcAccessToken;
  const job = await applyScoreJob(plans.job, {
    endpoint: runEndpoint ?? CLOUD_RUN_ENDPOINT,
    token: token && (() => token("the Cloud Run Admin API")),
  });
  console.log(`${job.action} Cloud Run job ${plans.job.request.jobId} (operation ${job.operation})`);
  const { createSchedulerApi } = await import("../schedule/clients");
  const { applySchedule } = await import("../schedule/apply");
  const api = await createSchedulerApi(values.endpoint);
  try {
    const scheduled = await applySchedule(api, plans.schedule);
    const { name, schedule: cron, timeZone } = scheduled.job;
    console.log(`${scheduled.action} Cloud Scheduler job ${name}: "${cron}" (${timeZone})`);
    return { job, schedule: scheduled };
  } finally {
    await api.close();
  }
}

/**
 * The warehouse and model store the job's `rox score` uses, checked here as `rox score` checks them. A Cloud Run job's
 * disk is gone when it ends: on Google Cloud these are `--warehouse bigquery --dataset …` and a gs:// store.
 */
function scoreArgsOf(values: ScheduleScoreValues, project: string): string[] {
  const bigquery = values.warehouse === "bigquery";
  warehouseTarget({ ...values, project, "bigquery-endpoint": undefined });
  return [
    ...(values.warehouse ? ["--warehouse", values.warehouse] : []),
    ...(bigquery ? ["--project", project] : []),
    ...(values.dataset ? ["--dataset", values.dataset] : []),
    ...(values.location ? ["--location", values.location] : []),
    ...(values.store ? ["--store", values.store] : []),
    ...(values["schemas-dir"] ? ["--schemas-dir", values["schemas-dir"]] : []),
  ];
}
