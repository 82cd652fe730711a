import { oneOf, parseFlags, requireFlag } from "../args";
import { loadConfig } from "../config";
import { UsageError } from "../errors";
import { renderPlans, type Plan } from "../plan";
import type { LaunchResult } from "../dataflow/apply";
import { dataflowFlagsOf, LAUNCH_OPTIONS, launchParametersOf } from "../dataflow/command-flags";
import { newRunId } from "../dataflow/names";
import { planLaunch } from "../dataflow/plan-launch";
import type { LaunchFlexTemplateRequest } from "../dataflow/requests";
import { resolveDataflowSettings, type JobKind } from "../dataflow/settings";
import { loadContract } from "../../schemas/load";

export const launchUsage = `rox launch batch|stream --schema <name> [--input gs://…/{date}/… --date YYYY-MM-DD] [--subscription projects/<p>/subscriptions/<s>]
          [--dataset <name>] [--param name=value]… [--run-id <id>] [--job-name <name>] [--template gs://…] [--metadata <file>]
          [--project <id>] [--region <region>] [--temp-location gs://…] [--staging-location gs://…] [--service-account <email>]
          [--network <n>] [--subnetwork <s>] [--machine-type <t>] [--max-workers N] [--num-workers N] [--label key=value]…
          [--wait] [--config rox.config.json] [--endpoint host:port] [--dry-run]`;

const JOBS = ["batch", "stream"] as const;

/** `rox launch`: plan the LaunchFlexTemplate request → print it (`--dry-run`) or send it → print the job. */
export async function launchCommand(argv: string[]): Promise<Plan<LaunchFlexTemplateRequest> | LaunchResult> {
  const { values, positionals } = parseFlags(argv, { ...LAUNCH_OPTIONS, "run-id": { type: "string" }, wait: { type: "boolean" } }, true);
  const job = jobOf(positionals);
  const settings = resolveDataflowSettings(job, loadConfig(values.config), dataflowFlagsOf(values));
  const contract = loadContract(requireFlag(values.schema, "schema"), { dir: values["schemas-dir"] });
  const plan = planLaunch(job, settings, {
    schema: { name: contract.name, version: contract.version },
    runId: values["run-id"] ?? newRunId(Date.now()),
    input: values.input,
    date: values.date,
    subscription: values.subscription,
    parameters: launchParametersOf(values),
    jobName: values["job-name"],
  });
  if (values["dry-run"]) {
    console.log(renderPlans([plan]));
    return plan;
  }
  const { createDataflowApi } = await import("../dataflow/clients");
  const { applyLaunch } = await import("../dataflow/apply");
  const api = await createDataflowApi(values.endpoint);
  try {
    const result = await applyLaunch(api, plan, values.wait ? { wait: { intervalMs: 10_000, maxPolls: 90 } } : {});
    console.log(describeLaunch(result, settings.project, settings.region));
    return result;
  } finally {
    await api.close();
  }
}

function jobOf(positionals: string[]): JobKind {
  if (positionals.length !== 1) throw new UsageError(`rox launch needs the job: batch or stream\nusage: ${launchUsage}`);
  return oneOf(positionals[0], "job", JOBS)!;
}

function describeLaunch({ job, reused }: LaunchResult, project: string, region: string): string {
  const state = job.currentState ? ` (${job.currentState})` : "";
  const link = `https://console.cloud.google.com/dataflow/jobs/${region}/${job.id}?project=${project}`;
  if (!reused) return `launched ${job.name} as ${job.id}${state}\n${link}`;
  return `${job.name} is already running as ${job.id}${state}: reused, nothing launched (rox jobs update changes a running stream)\n${link}`;
}
