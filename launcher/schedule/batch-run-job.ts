/**
 * `rox schedule batch --target cloud-run-job`, planned: a Cloud Run job whose container runs
 * `rox launch batch … --date yesterday --wait-until-done` — launch the Flex Template, poll the job to DONE, finalize
 * its staging tables — in one process, and the Scheduler job that runs it on the cron (run-job-plan.ts). So a scheduled run lands in the
 * final tables, windows and `job_runs` with no human step; a rerun of a day adds nothing (finalize commits only the
 * ids the table lacks). The container's launch is the one the direct target (plan-schedule.ts) would send, but for
 * the day and the run id, which each run resolves when it starts.
 */
import { toJobName, toLabelValue } from "../dataflow/names";
import { planLaunch } from "../dataflow/plan-launch";
import type { DataflowEnvironment, DataflowSettings } from "../dataflow/settings";
import { DEFAULT_MAX_WAIT_MINUTES } from "../dataflow/wait-until-done";
import type { WaitFlags } from "../dataflow/wait-flags";
import { parseCron } from "./cron";
import { planScheduledRunJob, type RunJobPlans } from "./run-job-plan";
import type { ScheduleSettings } from "./settings";
import { checkTimeZone } from "./zoned-clock";

/** A failed run is tried once more: a new launch of the day, which adds only what the failed one did not land. */
const MAX_RETRIES = 1;
/** The task's time beyond the wait for DONE: the launch itself, then finalize (export, window pass, commit). */
const MARGIN_SECONDS = 3600;

export interface BatchJobFlags {
  cron: string;
  image: string;
  /** Batch input with `{date}`: the container's `--input`, filled with the day it resolves. */
  inputTemplate: string;
  schema: { name: string; version: number };
  /** `--dataset` and `--param name=value`: the launch's own parameters. */
  parameters: Record<string, string>;
  /** Cloud Run and Scheduler job id; default `rox-batch-<schema>`, the direct target's (one schedule per schema). */
  jobId?: string;
  jobServiceAccount?: string;
  wait: WaitFlags;
}

/** The settings each launch needs, as `rox launch` flags (the container has no rox.config.json). */
const ENVIRONMENT_FLAGS: [keyof DataflowEnvironment, string][] = [
  ["tempLocation", "temp-location"],
  ["stagingLocation", "staging-location"],
  ["serviceAccountEmail", "service-account"],
  ["network", "network"],
  ["subnetwork", "subnetwork"],
  ["machineType", "machine-type"],
  ["maxWorkers", "max-workers"],
  ["numWorkers", "num-workers"],
];

/** `rox launch batch` for yesterday in the schedule's zone, waited for and finalized, with every setting as a flag. */
export function batchJobArgs(dataflow: DataflowSettings, flags: BatchJobFlags, timeZone: string, jobId: string) {
  const pairs = (flag: string, values: Record<string, string>) =>
    Object.entries(values).flatMap(([k, v]) => [`--${flag}`, `${k}=${v}`]);
  const environment = ENVIRONMENT_FLAGS.flatMap(([key, flag]) =>
    dataflow.environment[key] === undefined ? [] : [`--${flag}`, String(dataflow.environment[key])],
  );
  const { pollSeconds, maxWaitMinutes } = flags.wait;
  return [
    ...["launch", "batch", "--schema", flags.schema.name, "--input", flags.inputTemplate],
    ...["--date", "yesterday", "--time-zone", timeZone],
    ...["--project", dataflow.project, "--region", dataflow.region, "--template", dataflow.template],
    ...environment,
    ...pairs("label", { ...dataflow.labels, "rox-schedule": jobId }),
    ...pairs("param", { ...dataflow.parameters, ...flags.parameters }),
    "--wait-until-done",
    ...(pollSeconds === undefined ? [] : ["--poll-interval", String(pollSeconds)]),
    ...(maxWaitMinutes === undefined ? [] : ["--max-wait", String(maxWaitMinutes)]),
  ];
}

export function planBatchJob(
  schedule: ScheduleSettings,
  dataflow: DataflowSettings,
  flags: BatchJobFlags,
): RunJobPlans {
  parseCron(flags.cron);
  checkTimeZone(schedule.timeZone);
  const jobId = flags.jobId ?? toJobName(["rox", "batch", flags.schema.name]);
  // The launch each run sends, checked now against the template's parameters: a schedule that cannot launch fails here.
  const { schema, inputTemplate: input, parameters } = flags;
  planLaunch("batch", dataflow, { schema, input, parameters, dateAtRun: true });
  const waitSeconds = (flags.wait.maxWaitMinutes ?? DEFAULT_MAX_WAIT_MINUTES) * 60;
  return planScheduledRunJob(schedule, {
    jobId,
    cron: flags.cron,
    image: flags.image,
    args: batchJobArgs(dataflow, flags, schedule.timeZone, jobId),
    labels: { "rox-job": "batch", "rox-schema": toLabelValue(flags.schema.name) },
    jobServiceAccount: flags.jobServiceAccount,
    maxRetries: MAX_RETRIES,
    timeoutSeconds: Math.ceil(waitSeconds) + MARGIN_SECONDS,
    what: `rox launch batch ${flags.schema.name} --wait-until-done`,
    when: "for the previous day's partition, then lands it",
  });
}
