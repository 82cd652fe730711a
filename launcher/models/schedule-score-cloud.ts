/** `rox schedule score --target cloud-run-job`: parse → plan (cloud-run-plan.ts) → print or send → render. */
import { requireFlag } from "../args";
import { loadConfig } from "../config";
import { renderPlans } from "../plan";
import { applyScheduledRunJob, type ScheduledRunJobResult } from "../schedule/apply-run-job-schedule";
import { resolveScheduleSettings } from "../schedule/settings";
import { warehouseTarget } from "../warehouse";
import { planScoreJob, type ScoreJobPlans } from "./cloud-run-plan";
import type { ScheduleScoreValues } from "./schedule-score-values";

export type ScoreScheduleResult = ScheduledRunJobResult;

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
  return applyScheduledRunJob(plans, { runEndpoint: values["run-endpoint"], schedulerEndpoint: values.endpoint });
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
