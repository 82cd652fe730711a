import { oneOf, requireFlag } from "../args";
import { UsageError } from "../errors";

/**
 * `--runner direct|dataflow|flink`, chosen once at the edge. `direct` (the default) runs the local jobs in this
 * process; `dataflow` and `flink` submit the same shared transforms as a portable graph (the SDK's cross-language
 * Pub/Sub read and BigQuery write, see docs/dataflow.md) and return once it is submitted.
 */
export const runnerFlags = {
  runner: { type: "string" },
  region: { type: "string" },
  "temp-location": { type: "string" },
  "staging-location": { type: "string" },
  "sdk-container-image": { type: "string" },
  "service-account": { type: "string" },
  "job-name": { type: "string" },
  "job-endpoint": { type: "string" },
} as const;

export const runnerUsage = `[--runner direct|dataflow|flink  (dataflow: --project --region --temp-location [--staging-location]
          [--sdk-container-image] [--service-account] [--job-name]; flink: --job-endpoint host:port; both: --dataset)]`;

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
  "job-endpoint"?: string;
}

/**
 * A portable runner writes to BigQuery (`--dataset`) and reads Pub/Sub or Cloud Storage itself: the local jobs'
 * warehouse and emulator flags mean nothing there, so they are refused rather than silently ignored.
 */
export function onlyForPortable<V extends RunnerFlagValues & { warehouse?: string; host?: string; "bigquery-endpoint"?: string; "storage-endpoint"?: string }>(values: V): V {
  for (const flag of ["host", "bigquery-endpoint", "storage-endpoint"] as const) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to the direct runner only (--runner ${values.runner} reaches Google Cloud itself)`);
  }
  if (values.warehouse !== undefined && values.warehouse !== "bigquery") throw new UsageError(`--runner ${values.runner} writes to BigQuery (--dataset), not to ${values.warehouse}`);
  return values;
}

/** The portable runner asked for, or undefined for the local (direct) jobs. */
export function portableRunner(values: RunnerFlagValues): "dataflow" | "flink" | undefined {
  const runner = oneOf(values.runner, "runner", ["direct", "dataflow", "flink"] as const) ?? "direct";
  return runner === "direct" ? undefined : runner;
}

/**
 * The job's parameters (validated as the Flex Template's entry point validates them) plus the runner's options, in
 * the shape `runOnPortableRunner` takes; then submits and says so.
 */
export async function submitToPortableRunner(runner: "dataflow" | "flink", job: "batch" | "stream", values: RunnerFlagValues, own: Record<string, string | undefined>): Promise<void> {
  const { validateParameters } = await import("../template/validate-parameters");
  const { buildTemplateMetadata } = await import("../template/metadata");
  const parameters = validateParameters(buildTemplateMetadata(job), definedOnly({ ...own, dataset: requireFlag(values.dataset, "dataset") }));
  const options = runner === "flink" ? { jobEndpoint: requireFlag(values["job-endpoint"], "job-endpoint") } : dataflowOptionsOf(values);
  const { runOnPortableRunner } = await import("../../pipelines/dataflow/run-on-dataflow");
  await runOnPortableRunner(runner, job, { ...parameters, ...definedOnly(options), project: requireFlag(values.project, "project") });
  console.log(`submitted the ${job} job to ${runner}`);
}

function dataflowOptionsOf(values: RunnerFlagValues): Record<string, string | undefined> {
  if (values["job-endpoint"] !== undefined) throw new UsageError("--job-endpoint applies only with --runner flink");
  return {
    region: requireFlag(values.region, "region"),
    tempLocation: requireFlag(values["temp-location"], "temp-location"),
    stagingLocation: values["staging-location"],
    sdkContainerImage: values["sdk-container-image"],
    serviceAccountEmail: values["service-account"],
    jobName: values["job-name"],
  };
}

function definedOnly(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
