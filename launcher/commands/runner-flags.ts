import { oneOf, optionalNumber, requireFlag } from "../args";
import { UsageError } from "../errors";
import type { JobSummary } from "../../transforms/summary";

/**
 * `--runner direct|dataflow|flink`, chosen once at the edge. `direct` (the default) runs the local jobs in this
 * process; `dataflow` submits the portable graph and returns once Dataflow has created the job (its id and console
 * URL); `flink` runs the same graph on a Beam Flink job server (started here unless `--job-endpoint` names one) and
 * lands its output in the local warehouse, like the direct runner.
 */
export const runnerFlags = {
  runner: { type: "string" },
  region: { type: "string" },
  "temp-location": { type: "string" },
  "staging-location": { type: "string" },
  "sdk-container-image": { type: "string" },
  "service-account": { type: "string" },
  "job-name": { type: "string" },
  "dataflow-endpoint": { type: "string" },
  "dry-run": { type: "boolean" },
  "job-endpoint": { type: "string" },
  parallelism: { type: "string" },
} as const;

export const runnerUsage = `[--runner direct|dataflow|flink  (dataflow: --project --region --temp-location --dataset [--staging-location]
          [--sdk-container-image] [--service-account] [--job-name] [--dataflow-endpoint URL] [--dry-run];
          flink: [--job-endpoint host:port] [--parallelism N (default 2)] [--warehouse <file.duckdb>])]`;

export interface RunnerFlagValues {
  runner?: string;
  project?: string;
  region?: string;
  dataset?: string;
  "temp-location"?: string;
  "staging-location"?: string;
  "sdk-container-image"?: string;
  "service-account"?: string;
  "job-name"?: string;
  "dataflow-endpoint"?: string;
  "dry-run"?: boolean;
  "job-endpoint"?: string;
  parallelism?: string;
}

type LocalFlags = { warehouse?: string; host?: string; "bigquery-endpoint"?: string; "storage-endpoint"?: string };

/**
 * Dataflow writes to BigQuery (`--dataset`) and reads Pub/Sub or Cloud Storage itself: the local jobs' warehouse and
 * emulator flags mean nothing there, so they are refused rather than silently ignored. Flink lands in the local
 * warehouse and reads local files or the Pub/Sub emulator (`--host`); the Dataflow-only flags are refused there.
 */
export function onlyForPortable<V extends RunnerFlagValues & LocalFlags>(values: V): V {
  if (values.runner === "flink") {
    for (const flag of [
      "region",
      "temp-location",
      "staging-location",
      "sdk-container-image",
      "service-account",
      "dataflow-endpoint",
      "dry-run",
    ] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to --runner dataflow only`);
    }
    return values;
  }
  for (const flag of ["host", "bigquery-endpoint", "storage-endpoint", "job-endpoint", "parallelism"] as const) {
    if (values[flag] !== undefined)
      throw new UsageError(`--${flag} does not apply to --runner dataflow (it reaches Google Cloud itself)`);
  }
  if (values.warehouse !== undefined && values.warehouse !== "bigquery")
    throw new UsageError(`--runner dataflow writes to BigQuery (--dataset), not to ${values.warehouse}`);
  return values;
}

/** The portable runner asked for, or undefined for the local (direct) jobs. */
export function portableRunner(values: RunnerFlagValues): "dataflow" | "flink" | undefined {
  const runner = oneOf(values.runner, "runner", ["direct", "dataflow", "flink"] as const) ?? "direct";
  return runner === "direct" ? undefined : runner;
}

/**
 * Dataflow: the job's parameters, validated as the Flex Template's entry point validates them, plus Dataflow's
 * options → `--dry-run` prints the options and the job request; otherwise submits, waits for Dataflow's answer and
 * prints the job id and console URL.
 */
export async function submitToDataflow(
  job: "batch" | "stream",
  values: RunnerFlagValues,
  own: Record<string, string | undefined>,
): Promise<void> {
  const { validateParameters } = await import("../template/validate-parameters");
  const { buildTemplateMetadata } = await import("../template/metadata");
  const parameters = validateParameters(
    buildTemplateMetadata(job),
    definedOnly({ ...own, dataset: requireFlag(values.dataset, "dataset") }),
  );
  const { planSubmission, submitToDataflow: submit } = await import("../../pipelines/dataflow/submit");
  const submission = planSubmission(job, { ...parameters, ...definedOnly(dataflowOptionsOf(values)) });
  if (values["dry-run"]) {
    const { dataflowDryRun } = await import("../../pipelines/dataflow/dry-run");
    const plan = dataflowDryRun(submission);
    // A stream's submission first prepares its dataset (tables, views): what it would run, in BigQuery's SQL.
    if (job === "stream") plan.bigQuery = await streamPreparePlanOf(submission.parameters);
    return void console.log(JSON.stringify(plan, null, 2));
  }
  const submitted = await submit(submission);
  console.log(`Dataflow job ${submitted.jobId} created (${job}, run ${submission.parameters.runId})`);
  if (submitted.consoleUrl) console.log(submitted.consoleUrl);
}

async function streamPreparePlanOf(parameters: Record<string, string>): Promise<unknown> {
  const { streamPreparePlan } = await import("../../pipelines/dataflow/prepare-stream-windows");
  const { loadContract } = await import("../../schemas/load");
  const contract = loadContract(parameters.schema, { dir: parameters.schemasDir });
  return streamPreparePlan(`${parameters.project}.${parameters.dataset}`, contract, {
    scored: Boolean(parameters.model),
  });
}

/** Flink: the portable graph on a Beam Flink job server, its output landed in the local warehouse; the run's summary. */
export async function runOnFlink(
  job: "batch" | "stream",
  values: RunnerFlagValues & { warehouse?: string },
  parameters: Record<string, string>,
  extra: { replace?: boolean; pubsubRootUrl?: string; stop?: (runDir: string) => Promise<void> },
): Promise<JobSummary> {
  const { runFlinkJob } = await import("../../pipelines/flink/flink-job");
  const { startFlinkJobServer } = await import("../../pipelines/flink/job-server");
  const { warehouseTarget, withWarehouse } = await import("../warehouse");
  const parallelism = optionalNumber(values.parallelism, "parallelism") ?? 2;
  const target = warehouseTarget(values);
  const server = values["job-endpoint"] ? undefined : await startFlinkJobServer({ slots: parallelism });
  try {
    const jobEndpoint = values["job-endpoint"] ?? server!.endpoint;
    const restUrl = server?.restUrl;
    const pipelineOptions = extra.pubsubRootUrl ? { pubsubRootUrl: extra.pubsubRootUrl } : undefined;
    return await withWarehouse(target, (warehouse) =>
      runFlinkJob(
        job,
        { jobEndpoint, restUrl, parallelism, parameters, pipelineOptions, replace: extra.replace, stop: extra.stop },
        warehouse,
      ),
    );
  } finally {
    await server?.stop();
  }
}

export function dataflowOptionsOf(values: RunnerFlagValues): Record<string, string | undefined> {
  return {
    project: requireFlag(values.project, "project"),
    region: requireFlag(values.region, "region"),
    tempLocation: requireFlag(values["temp-location"], "temp-location"),
    stagingLocation: values["staging-location"],
    sdkContainerImage: values["sdk-container-image"],
    serviceAccountEmail: values["service-account"],
    jobName: values["job-name"],
    dataflowEndpoint: values["dataflow-endpoint"],
  };
}

export function definedOnly(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
