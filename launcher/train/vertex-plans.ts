import type { Plan } from "../plan";
import {
  describeSlice,
  lineageArgs,
  lineageLabels,
  lineageParameters,
  trainingJobId,
  type PlannedLineage,
} from "./lineage";
import { outputUri, required, vertexParent } from "./required";
import type { TrainSettings } from "./settings";
import { trainingDataEnv } from "./training-data";

export const JOB_SERVICE = "google.cloud.aiplatform.v1.JobService";
export const PIPELINE_SERVICE = "google.cloud.aiplatform.v1.PipelineService";

/** The request shapes as the Node client takes them (proto JSON field names; int64 as strings). */
export interface CreateCustomJobRequest {
  parent: string;
  customJob: {
    displayName: string;
    labels: Record<string, string>;
    jobSpec: {
      workerPoolSpecs: {
        machineSpec: { machineType: string };
        replicaCount: string;
        containerSpec: { imageUri: string; args: string[]; env?: { name: string; value: string }[] };
      }[];
      baseOutputDirectory: { outputUriPrefix: string };
      serviceAccount?: string;
    };
  };
}

export interface CreatePipelineJobRequest {
  parent: string;
  pipelineJobId: string;
  pipelineJob: {
    displayName: string;
    labels: Record<string, string>;
    templateUri: string;
    runtimeConfig: {
      gcsOutputDirectory: string;
      parameterValues: Record<string, { stringValue: string } | { numberValue: number }>;
    };
    serviceAccount?: string;
  };
}

/**
 * A Vertex AI CustomJob running the trainer container once, with the lineage as arguments and labels. Vertex sets
 * `AIP_MODEL_DIR` = `<baseOutputDirectory>/model/` (and `checkpoints/`, `logs/`) inside the container; when the slice
 * is in BigQuery, the container's env carries the data's URI as Vertex would for a managed dataset.
 */
export function planVertexCustomJob(lineage: PlannedLineage, settings: TrainSettings): Plan<CreateCustomJobRequest> {
  const parent = vertexParent(settings);
  const imageUri = required(
    settings.image,
    "train.image",
    `set "train": {"image": "<region>-docker.pkg.dev/<project>/<repo>/<trainer>:<tag>"} in rox.config.json`,
  );
  const jobId = trainingJobId(lineage);
  const container = {
    imageUri,
    args: [...settings.args, ...lineageArgs(lineage)],
    ...(lineage.data ? { env: trainingDataEnv(lineage.data) } : {}),
  };
  const spec: CreateCustomJobRequest["customJob"]["jobSpec"] = {
    workerPoolSpecs: [
      { machineSpec: { machineType: settings.machineType }, replicaCount: "1", containerSpec: container },
    ],
    baseOutputDirectory: { outputUriPrefix: `${outputUri(settings)}/${jobId}` },
  };
  if (settings.serviceAccount) spec.serviceAccount = settings.serviceAccount;
  return {
    summary: `train on ${describeSlice(lineage)} (${lineage.rowCount} rows, run ${lineage.runId}) as Vertex AI CustomJob ${jobId}`,
    service: JOB_SERVICE,
    method: "CreateCustomJob",
    request: { parent, customJob: { displayName: jobId, labels: lineageLabels(lineage), jobSpec: spec } },
  };
}

/**
 * A Vertex AI PipelineJob from a compiled pipeline template, the lineage as its parameters and labels. Its id is
 * derived from the data, so triggering twice for the same data finds the first job (ALREADY_EXISTS) instead.
 */
export function planVertexPipelineJob(
  lineage: PlannedLineage,
  settings: TrainSettings,
): Plan<CreatePipelineJobRequest> {
  const parent = vertexParent(settings);
  const templateUri = required(
    settings.pipelineTemplate,
    "train.pipelineTemplate",
    `set "train": {"pipelineTemplate": "gs://…/pipeline.json"} (a compiled KFP v2 pipeline) in rox.config.json`,
  );
  const jobId = trainingJobId(lineage);
  const job: CreatePipelineJobRequest["pipelineJob"] = {
    displayName: jobId,
    labels: lineageLabels(lineage),
    templateUri,
    runtimeConfig: {
      gcsOutputDirectory: `${outputUri(settings)}/pipelines`,
      parameterValues: protoValues(lineageParameters(lineage)),
    },
  };
  if (settings.serviceAccount) job.serviceAccount = settings.serviceAccount;
  return {
    summary: `train on ${describeSlice(lineage)} (${lineage.rowCount} rows, run ${lineage.runId}) as Vertex AI PipelineJob ${jobId}`,
    service: PIPELINE_SERVICE,
    method: "CreatePipelineJob",
    request: { parent, pipelineJobId: jobId, pipelineJob: job },
  };
}

/** `google.protobuf.Value`s as the client's message objects. */
function protoValues(
  values: Record<string, string | number>,
): CreatePipelineJobRequest["pipelineJob"]["runtimeConfig"]["parameterValues"] {
  const out: CreatePipelineJobRequest["pipelineJob"]["runtimeConfig"]["parameterValues"] = {};
  for (const [key, value] of Object.entries(values))
    out[key] = typeof value === "number" ? { numberValue: value } : { stringValue: value };
  return out;
}
