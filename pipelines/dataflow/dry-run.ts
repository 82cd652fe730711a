import { DATAFLOW_ENDPOINT, type DataflowSubmission } from "./submit";

const TYPESCRIPT_SDK_IMAGE = "apache/beam_typescript_sdk:2.49.0";
/** Where Dataflow takes the Java stages' image from (Python's runner rewrites Docker Hub's apache/beam_java17_sdk). */
const JAVA_SDK_IMAGE = "gcr.io/cloud-dataflow/v1beta3/beam_java17_sdk:2.49.0";
/** The TypeScript SDK's Dataflow runner adds the first; Python's runner (2.49.0) the others, for a portable job. */
const ADDED_EXPERIMENTS = [
  "use_sibling_sdk_workers",
  "beam_fn_api",
  "use_unified_worker",
  "use_runner_v2",
  "use_portable_job_submission",
  "use_multiple_sdk_containers",
];
/** …and for a streaming job, Streaming Engine. */
const ADDED_STREAMING_EXPERIMENTS = ["enable_streaming_engine", "enable_windmill_service"];

/**
 * What `--runner dataflow --dry-run` prints: the pipeline options exactly as the SDK hands them to Python's Dataflow
 * job service (`beam:option:<snake_case>:v1`), the graph's parameters, and the `jobs.create` request that job service
 * sends — the fields that say what runs where (name, type, labels, experiments, temp location, worker images). Python
 * adds the graph, the staged files and its own bookkeeping; the submission wire test checks these fields against the
 * request it really sent. Pure: nothing is built, expanded or sent.
 */
export function dataflowDryRun(submission: DataflowSubmission): Record<string, unknown> {
  const options: Record<string, unknown> = {
    ...submission.options,
    experiments: [...(submission.options.experiments as string[]), ADDED_EXPERIMENTS[0]],
  };
  const project = String(options.project);
  const endpoint = String(options.dataflowEndpoint ?? DATAFLOW_ENDPOINT).replace(/\/$/, "");
  return {
    pipelineOptions: Object.fromEntries(
      Object.entries(options).map(([name, value]) => [`beam:option:${snakeCase(name)}:v1`, value]),
    ),
    parameters: submission.parameters,
    jobsCreate: {
      method: "POST",
      url: `${endpoint}/v1b3/projects/${project}/locations/${String(options.region)}/jobs`,
      body: jobsCreateBody(submission),
    },
  };
}

/** The fields of the `jobs.create` body this project decides; `tempStoragePrefix` gets `/<job name>.<time>` appended. */
export function jobsCreateBody(submission: DataflowSubmission): Record<string, unknown> {
  const options = submission.options;
  const streaming = submission.job === "stream" ? ADDED_STREAMING_EXPERIMENTS : [];
  const experiments = [...new Set([...(options.experiments as string[]), ...ADDED_EXPERIMENTS, ...streaming])];
  return {
    name: options.jobName,
    type: submission.job === "stream" ? "JOB_TYPE_STREAMING" : "JOB_TYPE_BATCH",
    labels: Object.fromEntries((options.labels as string[]).map((label) => label.split("=", 2))),
    environment: {
      experiments,
      tempStoragePrefix: String(options.tempLocation)
        .replace(/^gs:\/\//, "storage.googleapis.com/")
        .replace(/\/$/, ""),
      ...(options.serviceAccountEmail ? { serviceAccountEmail: options.serviceAccountEmail } : {}),
      workerPools: [
        {
          sdkHarnessContainerImages: [
            { containerImage: options.sdkContainerImage ?? TYPESCRIPT_SDK_IMAGE },
            { containerImage: JAVA_SDK_IMAGE },
          ],
        },
      ],
    },
  };
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
