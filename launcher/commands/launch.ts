import { renderSummary } from "../../transforms/summary";
import { oneOf, parseFlags, requireFlag } from "../args";
import { loadConfig, type RoxConfig } from "../config";
import { UsageError } from "../errors";
import { renderPlans, type Plan } from "../plan";
import type { LaunchResult } from "../dataflow/apply";
import type { DataflowApi } from "../dataflow/clients";
import { dataflowFlagsOf, LAUNCH_OPTIONS, launchParametersOf } from "../dataflow/command-flags";
import { newRunId } from "../../pipelines/run-id";
import { planLaunch } from "../dataflow/plan-launch";
import type { LaunchFlexTemplateRequest } from "../dataflow/requests";
import { resolveDataflowSettings, type JobKind } from "../dataflow/settings";
import { checkWaitFlags, WAIT_OPTIONS, type WaitFlagValues, type WaitFlags } from "../dataflow/wait-flags";
import type { LaunchThenTrainResult, TrainAfterJob } from "../launch-then-train";
import { resolveDay } from "../models/day";
import { TRAIN_TARGETS } from "../train/settings";
import { loadContract } from "../../schemas/load";

export const launchUsage = `rox launch batch|stream --schema <name>
          [--input gs://…/{date}/… --date YYYY-MM-DD|yesterday [--time-zone <zone, for yesterday>]]
          [--subscription projects/<p>/subscriptions/<s>]
          [--dataset <name>] [--param name=value]… [--run-id <id>] [--job-name <name>] [--template gs://…] [--metadata <file>]
          [--project <id>] [--region <region>] [--temp-location gs://…] [--staging-location gs://…] [--service-account <email>]
          [--network <n>] [--subnetwork <s>] [--machine-type <t>] [--max-workers N] [--num-workers N] [--label key=value]…
          [--wait | --wait-until-done [--poll-interval <s, 30>] [--max-wait <min, 180>]
                    [--bigquery-endpoint URL] [--then-train [--train-target vertex-custom-job|vertex-pipeline|kubeflow]]]
          [--config rox.config.json] [--endpoint host:port] [--dry-run]`;

const JOBS = ["batch", "stream"] as const;

/** `rox launch`: plan the LaunchFlexTemplate request → print it (`--dry-run`) or send it → print the job. */
export async function launchCommand(
  argv: string[],
): Promise<Plan<LaunchFlexTemplateRequest> | Plan[] | LaunchResult | LaunchThenTrainResult> {
  const { values, positionals } = parseFlags(
    argv,
    { ...LAUNCH_OPTIONS, "run-id": { type: "string" }, "time-zone": { type: "string" }, ...WAIT_OPTIONS },
    true,
  );
  const job = jobOf(positionals);
  const untilDone = checkWaitFlags(job, values);
  const config = loadConfig(values.config);
  const settings = resolveDataflowSettings(job, config, dataflowFlagsOf(values));
  const contract = loadContract(requireFlag(values.schema, "schema"), { dir: values["schemas-dir"] });
  const date = launchDate(values.date, values["time-zone"]);
  const plan = planLaunch(job, settings, {
    schema: { name: contract.name, version: contract.version },
    runId: values["run-id"] ?? newRunId(Date.now()),
    input: values.input,
    date,
    subscription: values.subscription,
    parameters: launchParametersOf(values),
    jobName: values["job-name"],
  });
  const train = values["then-train"] ? await trainAfterJob(config, { ...values, date }, contract.table) : undefined;
  if (values["dry-run"]) return printDryRun(plan, train);
  const { createDataflowApi } = await import("../dataflow/clients");
  const api = await createDataflowApi(values.endpoint);
  try {
    if (untilDone)
      return await launchUntilDone(api, plan, { ...untilDone, bigqueryEndpoint: values["bigquery-endpoint"] }, train);
    const { applyLaunch } = await import("../dataflow/apply");
    const result = await applyLaunch(api, plan, values.wait ? { wait: { intervalMs: 10_000, maxPolls: 90 } } : {});
    console.log(describeLaunch(result, settings.project, settings.region));
    return result;
  } finally {
    await api.close();
  }
}

async function trainAfterJob(config: RoxConfig, values: WaitFlagValues, table: string): Promise<TrainAfterJob> {
  const { readTrainSettings } = await import("../train/settings");
  const target = oneOf(values["train-target"], "train-target", TRAIN_TARGETS);
  const settings = readTrainSettings(config, { target, project: values.project, region: values.region });
  return {
    table,
    partition: values.date!,
    settings,
    schemasDir: values["schemas-dir"],
    bigqueryEndpoint: values["bigquery-endpoint"],
  };
}

/** Both plans: the launch, then the training it would send once the job is DONE (see `planTrainingAfterLaunch`). */
async function printDryRun(
  plan: Plan<LaunchFlexTemplateRequest>,
  train: TrainAfterJob | undefined,
): Promise<Plan<LaunchFlexTemplateRequest> | Plan[]> {
  if (!train) {
    console.log(renderPlans([plan]));
    return plan;
  }
  const { planTrainingAfterLaunch } = await import("../launch-then-train");
  const plans = [plan, planTrainingAfterLaunch(plan, train)];
  console.log(renderPlans(plans));
  return plans;
}

/** Launch, a line per poll (stderr) until DONE, then what training started. */
async function launchUntilDone(
  api: DataflowApi,
  plan: Plan<LaunchFlexTemplateRequest>,
  wait: WaitFlags & { bigqueryEndpoint?: string },
  train: TrainAfterJob | undefined,
): Promise<LaunchThenTrainResult> {
  const { donePolling } = await import("../dataflow/wait-until-done");
  const { launchThenTrain } = await import("../launch-then-train");
  const { renderTrainResult } = await import("../train/report");
  const result = await launchThenTrain(api, plan, {
    polling: {
      ...donePolling(wait.pollSeconds, wait.maxWaitMinutes),
      onPoll: (job, poll) => console.error(`poll ${poll}: ${job.id} ${job.currentState ?? "in an unknown state"}`),
    },
    onLaunched: (launch) => console.log(describeLaunch(launch, plan.request.projectId, plan.request.location)),
    // The run landed in its staging tables; finalizing commits it like a local chunk: print that summary.
    onFinalized: (summary) => console.log(renderSummary(summary)),
    bigqueryEndpoint: wait.bigqueryEndpoint,
    train,
  });
  console.log(`${result.done.name} (${result.done.id}) is ${result.done.currentState}`);
  if (result.training) console.log(renderTrainResult(result.training));
  return result;
}

/**
 * `--date yesterday` is the day before now on the wall clock of `--time-zone` (UTC by default), resolved when the
 * command starts: what a scheduled run (`rox schedule batch --target cloud-run-job`) launches each night.
 */
function launchDate(date: string | undefined, timeZone: string | undefined): string | undefined {
  if (timeZone !== undefined && date !== "yesterday")
    throw new UsageError("--time-zone applies only with --date yesterday: it says when yesterday was");
  return date === "yesterday" ? resolveDay(date, Date.now(), timeZone, "date") : date;
}

function jobOf(positionals: string[]): JobKind {
  if (positionals.length !== 1)
    throw new UsageError(`rox launch needs the job: batch or stream\nusage: ${launchUsage}`);
  return oneOf(positionals[0], "job", JOBS)!;
}

function describeLaunch({ job, reused }: LaunchResult, project: string, region: string): string {
  const state = job.currentState ? ` (${job.currentState})` : "";
  const link = `https://console.cloud.google.com/dataflow/jobs/${region}/${job.id}?project=${project}`;
  if (!reused) return `launched ${job.name} as ${job.id}${state}\n${link}`;
  return `${job.name} is already running as ${job.id}${state}: reused, nothing launched (rox jobs update changes a running stream)\n${link}`;
}
