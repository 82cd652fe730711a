import * as path from "path";
import { oneOf, parseFlags, requireFlag } from "../args";
import { UsageError } from "../errors";
import { renderPlans, type Plan } from "../plan";
import { LAUNCH_OPTIONS, launchParametersOf } from "../dataflow/command-flags";
import { planLocalSchedule, type LocalSchedule } from "../schedule/local-plan";
import { planSchedule } from "../schedule/plan-schedule";
import { readBatchScheduleSettings } from "../schedule/batch-settings";
import { checkTimeZone } from "../schedule/zoned-clock";
import { loadContract } from "../../schemas/load";

export const scheduleUsage = `rox schedule batch --target cloud-run-job --cron "<m h dom mon dow>"
          --input-template gs://…/dt={date}/* --schema <name> --image <launcher image> [--time-zone <IANA zone>] [--job-id <id>] [--service-account <scheduler SA>]
          [--job-service-account <job SA>] [--poll-interval <s>] [--max-wait <min>] [the launch flags of rox launch]
          [--run-endpoint <url>] [--endpoint <Scheduler host:port>] [--dry-run]
  rox schedule batch [--target dataflow] --cron "<m h dom mon dow>" --input-template gs://…/dt={date}/* --schema <n>
          [--time-zone <IANA zone>] [--job-id <scheduler job id>] [--service-account <email>] [the launch flags]
          [--dry-run]
          (launches only: its runs stay in their staging tables until rox jobs finalize)
  rox schedule batch --local --cron "<m h dom mon dow>" --input-template <path with {date}> --schema <name> [--time-zone <zone>]
          [--warehouse <file.duckdb>] [--lock-file <file>] [--dry-run]
  rox schedule score --local --cron "<m h dom mon dow>" --model <name@alias> --on <table> [--time-zone <zone>] [--warehouse …] [--store …] [--dry-run]
  rox schedule score --target cloud-run-job --cron "<m h dom mon dow>" --model <name@alias> --on <table>
          --image <rox image> [--warehouse bigquery --dataset <d>] [--store gs://…] [--job-id <id>]
          [--service-account <scheduler SA>] [--job-service-account <job SA>] [--project P] [--region R]
          [--time-zone <zone>] [--run-endpoint <url>] [--endpoint <Scheduler host:port>] [--dry-run]
          [--runner dataflow --temp-location gs://… [--staging-location gs://…] [--sdk-container-image <image>]
           [--poll-interval <s>] [--max-wait <min>]] (its rox score on Dataflow --wait-until-done: lands itself)`;

const OPTIONS = {
  ...LAUNCH_OPTIONS,
  cron: { type: "string" },
  "input-template": { type: "string" },
  "time-zone": { type: "string" },
  "job-id": { type: "string" },
  local: { type: "boolean" },
  warehouse: { type: "string" },
  "lock-file": { type: "string" },
  model: { type: "string" },
  on: { type: "string" },
  store: { type: "string" },
  target: { type: "string" },
  image: { type: "string" },
  "job-service-account": { type: "string" },
  "run-endpoint": { type: "string" },
  location: { type: "string" },
  "poll-interval": { type: "string" },
  "max-wait": { type: "string" },
  runner: { type: "string" },
  "sdk-container-image": { type: "string" },
} as const;

const BATCH_TARGETS = ["dataflow", "cloud-run-job"] as const;
const CLOUD_RUN_ONLY = ["image", "job-service-account", "run-endpoint", "poll-interval", "max-wait"] as const;

/** `rox schedule batch`: a Cloud Scheduler job that launches the batch job, or (`--local`) the same on this machine. */
export async function scheduleCommand(argv: string[]): Promise<unknown> {
  const { values, positionals } = parseFlags(argv, OPTIONS, true);
  if (positionals.length === 1 && positionals[0] === "score")
    return (await import("../models/schedule-score")).scheduleScore(values);
  if (positionals.length !== 1 || positionals[0] !== "batch")
    throw new UsageError(`rox schedule schedules the batch job: rox schedule batch …\nusage: ${scheduleUsage}`);
  for (const flag of ["runner", "sdk-container-image"] as const)
    if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to rox schedule score only`);
  const cron = requireFlag(values.cron, "cron");
  const inputTemplate = requireFlag(values["input-template"], "input-template");
  const target = oneOf(values.target, "target", BATCH_TARGETS);
  if (values.local && target) throw new UsageError("pass --local or --target, not both");
  if (values.local) return scheduleLocally(values, cron, inputTemplate);
  if (target === "cloud-run-job")
    return (await import("../schedule/schedule-batch-cloud")).scheduleBatchOnCloudRun(values, cron, inputTemplate);
  const cloudRunOnly = CLOUD_RUN_ONLY.find((flag) => values[flag] !== undefined);
  if (cloudRunOnly) throw new UsageError(`--${cloudRunOnly} applies only with --target cloud-run-job`);
  const { schedule, dataflow, contract } = readBatchScheduleSettings(values);
  console.error(DIRECT_TARGET_NOTE); // once the settings are known to be right: a wrong one is the only line
  const plan = planSchedule(schedule, dataflow, {
    cron,
    inputTemplate,
    schema: { name: contract.name, version: contract.version },
    parameters: launchParametersOf(values),
    jobId: values["job-id"],
  });
  if (values["dry-run"]) {
    console.log(renderPlans([plan]));
    return plan;
  }
  const { createSchedulerApi } = await import("../schedule/clients");
  const { applySchedule } = await import("../schedule/apply");
  const api = await createSchedulerApi(values.endpoint);
  try {
    const result = await applySchedule(api, plan);
    console.log(
      `${result.action} Cloud Scheduler job ${result.job.name}: "${result.job.schedule}" (${result.job.timeZone})`,
    );
    return result;
  } finally {
    await api.close();
  }
}

/** The direct target launches and nothing more: said on every use, and in docs/dataflow.md. */
const DIRECT_TARGET_NOTE =
  "rox: note: each scheduled run lands only in its staging tables until `rox jobs finalize --run-id <its rox-run " +
  "label>`; --target cloud-run-job launches, waits and finalizes each run by itself";

type Values = ReturnType<typeof parseFlags<typeof OPTIONS>>["values"];

async function scheduleLocally(values: Values, cron: string, inputTemplate: string): Promise<Plan | void> {
  const schema = loadContract(requireFlag(values.schema, "schema"), { dir: values["schemas-dir"] }).name;
  const timeZone = values["time-zone"] ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  checkTimeZone(timeZone);
  const schedule: LocalSchedule = {
    cron,
    timeZone,
    inputTemplate,
    schema,
    batchArgs: [
      ...(values.warehouse ? ["--warehouse", values.warehouse] : []),
      ...(values["schemas-dir"] ? ["--schemas-dir", values["schemas-dir"]] : []),
    ],
    lockFile: values["lock-file"] ?? path.join(".rox", `schedule-batch-${schema}.lock`),
  };
  const plan = planLocalSchedule(schedule, new Date());
  console.log(values["dry-run"] ? renderPlans([plan]) : plan.summary);
  if (values["dry-run"]) return plan;
  const { runScheduleHere, tickPrinter } = await import("../schedule/run-here");
  await runScheduleHere(schedule, tickPrinter("rox batch", "next run"));
}
