import { oneOf, parseFlags, requireFlag } from "../args";
import { loadConfig } from "../config";
import { UsageError } from "../errors";
import { renderPlans, type Plan } from "../plan";
import type { LaunchResult } from "../dataflow/apply";
import type { JobInfo } from "../dataflow/clients";
import {
  dataflowFlagsOf,
  keyValues,
  LAUNCH_OPTIONS,
  launchParametersOf,
  TARGET_OPTIONS,
} from "../dataflow/command-flags";
import { newRunId } from "../../pipelines/run-id";
import { planCancel, planDrain, planJobMetrics, planStatus } from "../dataflow/plan-jobs";
import { recordStreamRun, streamRunOf } from "../dataflow/stream-run";
import { batchUpdateRefused, planUpdate } from "../dataflow/plan-update";
import type { GetJobRequest, LaunchFlexTemplateRequest, UpdateJobRequest } from "../dataflow/requests";
import { configuredStreamDataset, resolveDataflowSettings, type JobKind } from "../dataflow/settings";
import { resolveTarget } from "../dataflow/target";
import { loadContract } from "../../schemas/load";
import type { JobSummary } from "../../transforms/summary";
import { warehouseFlags, warehouseTarget } from "../warehouse";

export const jobsUsage = `rox jobs status|drain|cancel --job-id <id> [--project <id>] [--region <region>] [--config <file>] [--endpoint host:port] [--dry-run]
          [--dataset D [--location L] [--bigquery-endpoint URL] [--schemas-dir <dir>]]  (a stream's job_runs row)
  rox jobs update stream --schema <name> --previous-schemas-dir <dir> [--subscription …] [--transform-mapping old=new]…
          [the launch flags of rox launch] [--dry-run]
  rox jobs finalize --run-id <id> --schema <name> --project <id> --dataset <name> [--replace] [--location L]
          [--bigquery-endpoint URL] [--schemas-dir <dir>] [--summary <file.json>]`;

const ACTIONS = ["status", "drain", "cancel", "update", "finalize"] as const;
const PLANNERS = { status: planStatus, drain: planDrain, cancel: planCancel } as const;

/** `rox jobs`: one Dataflow job's state, or a drain, cancel or in-place update of it. */
export async function jobsCommand(argv: string[]): Promise<Plan | JobInfo | LaunchResult | JobSummary> {
  const action = oneOf(argv[0], "action", ACTIONS);
  if (action === undefined)
    throw new UsageError(`rox jobs needs an action: ${ACTIONS.join(", ")}\nusage: ${jobsUsage}`);
  if (action === "finalize") return finalizeJob(argv.slice(1));
  return action === "update" ? updateJob(argv.slice(1)) : changeJob(action, argv.slice(1));
}

/** Lands a finished Dataflow batch run from its staging tables, then prints and checks its summary as `rox batch` does. */
async function finalizeJob(argv: string[]): Promise<JobSummary> {
  const flags = {
    ...warehouseFlags,
    "run-id": { type: "string" },
    schema: { type: "string" },
    project: { type: "string" },
    replace: { type: "boolean" },
    "schemas-dir": { type: "string" },
    summary: { type: "string" },
  } as const;
  const { values } = parseFlags(argv, flags);
  const target =
    (values.warehouse ?? "bigquery") === "bigquery" ? warehouseTarget({ ...values, warehouse: "bigquery" }) : undefined;
  if (target?.kind !== "bigquery")
    throw new UsageError("rox jobs finalize lands a Dataflow run in BigQuery: --warehouse can only be bigquery");
  const options = {
    schema: requireFlag(values.schema, "schema"),
    runId: requireFlag(values["run-id"], "run-id"),
    replace: values.replace ?? false,
    schemasDir: values["schemas-dir"],
  };
  const { finalizeRun } = await import("../dataflow/finalize-run");
  const summary = await finalizeRun(target, options);
  const { reportSummary } = await import("./batch");
  reportSummary(summary, values.summary);
  return summary;
}

/**
 * Status, drain or cancel; for a stream `rox` submitted, then its `job_runs` row from the job's metrics in the
 * stream's dataset (`--dataset`, or the config's `dataflow[.stream].parameters.dataset`): see dataflow/stream-run.ts.
 */
async function changeJob(action: keyof typeof PLANNERS, argv: string[]): Promise<Plan | JobInfo> {
  const { values } = parseFlags(argv, {
    ...TARGET_OPTIONS,
    "job-id": { type: "string" },
    dataset: { type: "string" },
    location: { type: "string" },
    "bigquery-endpoint": { type: "string" },
    "schemas-dir": { type: "string" },
  });
  const config = loadConfig(values.config);
  const target = resolveTarget(config, values);
  const jobId = requireFlag(values["job-id"], "job-id");
  const plan: Plan<GetJobRequest | UpdateJobRequest> = PLANNERS[action](target, jobId);
  const dataset = values.dataset ?? configuredStreamDataset(config);
  // With --dataset, the metrics request a stream's row needs is planned too (whether the job is one is not known yet).
  if (values["dry-run"]) return printPlan(plan, ...(values.dataset ? [planJobMetrics(target, jobId)] : []));
  const { createDataflowApi } = await import("../dataflow/clients");
  const { applyJobRequest } = await import("../dataflow/apply");
  const api = await createDataflowApi(values.endpoint);
  try {
    const job = await applyJobRequest(api, plan);
    console.log(
      action === "status"
        ? describeJob(job)
        : `${action === "drain" ? "draining" : "cancelling"} ${job.name || job.id} (${job.id})`,
    );
    // An UpdateJob answer without labels is not the whole job: then the job as it is now.
    const whole = action === "status" || Object.keys(job.labels).length > 0;
    const current = whole ? job : await applyJobRequest(api, planStatus(target, jobId));
    if (!streamRunOf(current)) return job;
    if (!dataset) {
      console.error("rox: the run's job_runs row was not written: pass --dataset (the stream's dataset)");
      return job;
    }
    const where = { dataset, location: values.location, apiEndpoint: values["bigquery-endpoint"] };
    const recorded = await recordStreamRun(api, target, current, where, { schemasDir: values["schemas-dir"] });
    if (recorded) console.log(describeRecorded(recorded.summary, recorded.status, `${target.project}.${dataset}`));
    return job;
  } finally {
    await api.close();
  }
}

function describeRecorded(summary: JobSummary, status: string, dataset: string): string {
  const { runId, read, written, deadLettered, duplicates } = summary;
  return (
    `recorded run ${runId} in ${dataset}.job_runs (${status}): read ${read}, written ${written}, ` +
    `dead-lettered ${deadLettered}, duplicates ${duplicates}`
  );
}

async function updateJob(argv: string[]): Promise<Plan | LaunchResult> {
  const options = {
    ...LAUNCH_OPTIONS,
    "previous-schemas-dir": { type: "string" },
    "transform-mapping": { type: "string", multiple: true },
  } as const;
  const { values, positionals } = parseFlags(argv, options, true);
  if (positionals.length !== 1)
    throw new UsageError(
      `rox jobs update needs the job: stream (batch jobs are relaunched, not updated)\nusage: ${jobsUsage}`,
    );
  const job: JobKind = oneOf(positionals[0], "job", ["batch", "stream"] as const)!;
  const schema = requireFlag(values.schema, "schema");
  if (job === "batch") throw batchUpdateRefused(values["job-name"] ?? `the ${schema} batch job`);
  const settings = resolveDataflowSettings(job, loadConfig(values.config), dataflowFlagsOf(values));
  const contracts = {
    previous: loadContract(schema, { dir: requireFlag(values["previous-schemas-dir"], "previous-schemas-dir") }),
    next: loadContract(schema, { dir: values["schemas-dir"] }),
  };
  const plan = planUpdate(
    job,
    settings,
    {
      runId: newRunId(Date.now()),
      subscription: values.subscription,
      parameters: launchParametersOf(values),
      jobName: values["job-name"],
      transformNameMappings: keyValues(values["transform-mapping"], "transform-mapping"),
    },
    contracts,
  );
  if (values["dry-run"]) return printPlan(plan);
  return sendUpdate(plan, values.endpoint);
}

async function sendUpdate(plan: Plan<LaunchFlexTemplateRequest>, endpoint: string | undefined): Promise<LaunchResult> {
  const { createDataflowApi } = await import("../dataflow/clients");
  const { applyLaunch } = await import("../dataflow/apply");
  const api = await createDataflowApi(endpoint);
  try {
    const result = await applyLaunch(api, plan);
    console.log(`updating ${result.job.name} in place: the replacement job is ${result.job.id}`);
    return result;
  } finally {
    await api.close();
  }
}

function printPlan<T extends Plan>(plan: T, ...more: Plan[]): T {
  console.log(renderPlans([plan, ...more]));
  return plan;
}

function describeJob(job: JobInfo): string {
  const labels = Object.entries(job.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return [
    `${job.name} (${job.id})`,
    `  type   ${job.type ?? "?"}`,
    `  state  ${job.currentState ?? "?"}${job.currentStateTime ? ` since ${job.currentStateTime}` : ""}`,
    `  labels ${labels || "-"}`,
  ].join("\n");
}
