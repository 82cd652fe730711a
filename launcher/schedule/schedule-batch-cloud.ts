/** `rox schedule batch --target cloud-run-job`: parse → plan (batch-run-job.ts) → print or send → render. */
import { requireFlag } from "../args";
import { UsageError } from "../errors";
import { renderPlans } from "../plan";
import { launchParametersOf, type LaunchValues } from "../dataflow/command-flags";
import { checkWaitFlags } from "../dataflow/wait-flags";
import { applyScheduledRunJob, type ScheduledRunJobResult } from "./apply-run-job-schedule";
import { planBatchJob } from "./batch-run-job";
import type { RunJobPlans } from "./run-job-plan";
import { readBatchScheduleSettings } from "./batch-settings";

export interface ScheduleBatchValues extends LaunchValues {
  "time-zone"?: string;
  "job-id"?: string;
  image?: string;
  "job-service-account"?: string;
  "run-endpoint"?: string;
  "poll-interval"?: string;
  "max-wait"?: string;
}

/**
 * What only this machine has cannot reach the container: it runs the image's own schemas and template metadata (the
 * image is the template's launcher image: the same build), and each run names its own day and Dataflow job.
 */
const NOT_IN_THE_CONTAINER = {
  "schemas-dir": "the job loads the schemas of its image",
  metadata: "the job checks the launch against its image's own template metadata",
  date: "each run launches the day before it starts (--time-zone)",
  "job-name": "each run is its own Dataflow job, named after its day and run",
} as const;

export async function scheduleBatchOnCloudRun(
  values: ScheduleBatchValues,
  cron: string,
  inputTemplate: string,
): Promise<RunJobPlans | ScheduledRunJobResult> {
  for (const [flag, why] of Object.entries(NOT_IN_THE_CONTAINER))
    if (values[flag as keyof typeof NOT_IN_THE_CONTAINER] !== undefined)
      throw new UsageError(`--${flag} does not apply with --target cloud-run-job: ${why}`);
  const { schedule, dataflow, contract } = readBatchScheduleSettings(values);
  const plans = planBatchJob(schedule, dataflow, {
    cron,
    image: requireFlag(values.image, "image"),
    inputTemplate,
    schema: { name: contract.name, version: contract.version },
    parameters: launchParametersOf(values),
    jobId: values["job-id"],
    jobServiceAccount: values["job-service-account"],
    wait: checkWaitFlags("batch", { ...values, "wait-until-done": true })!,
  });
  if (values["dry-run"]) {
    console.log(renderPlans([plans.job, plans.schedule]));
    return plans;
  }
  return applyScheduledRunJob(plans, { runEndpoint: values["run-endpoint"], schedulerEndpoint: values.endpoint });
}
