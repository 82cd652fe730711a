import { DATAFLOW_ENDPOINT, type DataflowSubmission } from "./submit";

const TYPESCRIPT_SDK_IMAGE = "apache/beam_typescript_sdk:2.49.0";

/**
 * What `--runner dataflow --dry-run` prints: the pipeline options exactly as the SDK hands them to Python's Dataflow
 * job service (`beam:option:<snake_case>:v1`), the graph's parameters, and the `jobs.create` request that job service
 * sends — the fields this project decides (name, type, labels, temp location, worker image, service account). Python
 * adds the graph itself, the staged files and its own experiments; the submission wire test checks these fields
 * against the request it really sends. Pure: nothing is built, expanded or sent.
 */
export function dataflowDryRun(submission: DataflowSubmission): Record<string, unknown> {
  const options: Record<string, unknown> = { ...submission.options, experiments: [...(submission.options.experiments as string[]), "use_sibling_sdk_workers"] };
  const project = String(options.project);
  const region = String(options.region);
  const endpoint = String(options.dataflowEndpoint ?? DATAFLOW_ENDPOINT).replace(/\/$/, "");
  return {
    pipelineOptions: Object.fromEntries(Object.entries(options).map(([name, value]) => [`beam:option:${snakeCase(name)}:v1`, value])),
    parameters: submission.parameters,
    jobsCreate: {
      method: "POST",
      url: `${endpoint}/v1b3/projects/${project}/locations/${region}/jobs`,
      body: {
        name: options.jobName,
        projectId: project,
        type: submission.job === "stream" ? "JOB_TYPE_STREAMING" : "JOB_TYPE_BATCH",
        labels: Object.fromEntries((options.labels as string[]).map((label) => label.split("=", 2))),
        environment: {
          tempStoragePrefix: String(options.tempLocation).replace(/^gs:\/\//, "storage.googleapis.com/"),
          ...(options.serviceAccountEmail ? { serviceAccountEmail: options.serviceAccountEmail } : {}),
          sdkContainerImage: options.sdkContainerImage ?? TYPESCRIPT_SDK_IMAGE,
          stagingLocation: options.stagingLocation,
        },
      },
    },
  };
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
