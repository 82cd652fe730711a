/** `rox schedule score --target cloud-run-job`: parse → plan (cloud-run-plan.ts) → print or send → render. */
import { oneOf, optionalNumber, requireFlag } from "../args";
import { DEFAULT_MAX_WAIT_MINUTES } from "../dataflow/wait-until-done";
import { UsageError } from "../errors";
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
    scoreArgs: [...scoreArgsOf(values, schedule.project), ...dataflowArgsOf(values, schedule.region)],
    timeoutSeconds: timeoutOf(values),
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

const CLOUD_RUN_ONLY_WITH_DATAFLOW = [
  "temp-location",
  "staging-location",
  "sdk-container-image",
  "poll-interval",
  "max-wait",
] as const;

/**
 * `--runner dataflow`: the job's `rox score` submits the scoring graph to Dataflow, polls it to DONE and lands the run
 * (`--wait-until-done`), so a scheduled day lands with no second command. The day's rows are staged under
 * `--temp-location`; workers read the model from the gs:// store.
 */
function dataflowArgsOf(values: ScheduleScoreValues, region: string): string[] {
  const runner = oneOf(values.runner, "runner", ["direct", "dataflow"] as const) ?? "direct";
  if (runner === "direct") {
    const given = CLOUD_RUN_ONLY_WITH_DATAFLOW.find((flag) => values[flag] !== undefined);
    if (given) throw new UsageError(`--${given} applies to --runner dataflow`);
    return [];
  }
  if (values.warehouse !== "bigquery" || !values.store?.startsWith("gs://"))
    throw new UsageError(
      "--runner dataflow scores from BigQuery with a gs:// model store: --warehouse bigquery --store gs://…",
    );
  const flag = (name: (typeof CLOUD_RUN_ONLY_WITH_DATAFLOW)[number]) =>
    values[name] === undefined ? [] : [`--${name}`, String(values[name])];
  return [
    ...["--runner", "dataflow", "--region", region],
    ...["--temp-location", requireFlag(values["temp-location"], "temp-location")],
    ...flag("staging-location"),
    ...flag("sdk-container-image"),
    "--wait-until-done",
    ...flag("poll-interval"),
    ...flag("max-wait"),
  ];
}

/** On Dataflow a run waits for its job: the Cloud Run task may take the wait and an hour more to land it. */
function timeoutOf(values: ScheduleScoreValues): number | undefined {
  if (values.runner !== "dataflow") return undefined;
  const minutes = optionalNumber(values["max-wait"], "max-wait") ?? DEFAULT_MAX_WAIT_MINUTES;
  return Math.ceil(minutes * 60) + 3600;
}
