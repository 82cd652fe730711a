/**
 * The ML pipeline on Google Cloud or Kubeflow: one run (Vertex AI PipelineJob, or a KFP run) or a schedule (Vertex AI
 * Schedule, or a KFP recurring run) of the compiled spec, uploaded where `train.pipelineTemplate` (Vertex) or
 * `train.kubeflow.pipelineId`/`pipelineVersionId` (Kubeflow) say. Pure: the exact requests, for `--dry-run` and apply.
 */
import type { Plan } from "../plan";
import { required, outputUri, vertexParent } from "../train/required";
import type { TrainSettings } from "../train/settings";
import { KUBEFLOW_SERVICE, type KubeflowRunBody, type KubeflowRunRequest } from "../train/kubeflow-plan";
import { PIPELINE_SERVICE, type CreatePipelineJobRequest } from "../train/vertex-plans";
import { labelValue, resourceSlug } from "../train/label-rules";

export const SCHEDULE_SERVICE = "google.cloud.aiplatform.v1.ScheduleService";
export const RECURRING_RUNS_PATH = "/apis/v2beta1/recurringruns";

export interface CreateScheduleRequest {
  parent: string;
  schedule: {
    displayName: string;
    /** `TZ=<zone> <five-field cron>` */
    cron: string;
    maxConcurrentRunCount: string;
    createPipelineJobRequest: { parent: string; pipelineJob: CreatePipelineJobRequest["pipelineJob"] };
  };
}

export interface KubeflowRecurringRunRequest {
  endpoint: string;
  body: Omit<KubeflowRunBody, "runtime_config"> & {
    runtime_config: KubeflowRunBody["runtime_config"];
    trigger: { cron_schedule: { cron: string } };
    mode: "ENABLE";
    max_concurrency: string;
    no_catchup: boolean;
  };
}

/** The pipeline's parameters: `day` (a date, or `yesterday` for schedules: the day before each run starts, UTC). */
export type PipelineParameters = Record<string, string>;

function jobName(parameters: PipelineParameters): string {
  return `rox-ml-${resourceSlug(parameters.model ?? "flights-delay").slice(0, 40)}-${parameters.day}`;
}

function vertexJob(settings: TrainSettings, parameters: PipelineParameters): CreatePipelineJobRequest["pipelineJob"] {
  const templateUri = required(
    settings.pipelineTemplate,
    "train.pipelineTemplate",
    `upload the spec of \`rox pipeline compile\` and set "train": {"pipelineTemplate": "gs://…/pipeline.json"}`,
  );
  const parameterValues = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { stringValue: v }]));
  const job: CreatePipelineJobRequest["pipelineJob"] = {
    displayName: jobName(parameters),
    labels: {
      rox_pipeline: "batch-model",
      rox_model: labelValue(parameters.model ?? "flights-delay"),
      rox_day: labelValue(parameters.day),
    },
    templateUri,
    runtimeConfig: { gcsOutputDirectory: `${outputUri(settings)}/pipelines`, parameterValues },
  };
  if (settings.serviceAccount) job.serviceAccount = settings.serviceAccount;
  return job;
}

/** One Vertex AI PipelineJob; its id is the model and day, so submitting the same day twice finds the first job. */
export function planVertexPipelineRun(
  settings: TrainSettings,
  parameters: PipelineParameters,
): Plan<CreatePipelineJobRequest> {
  const parent = vertexParent(settings);
  const job = vertexJob(settings, parameters);
  return {
    summary: `run the batch-model pipeline for ${parameters.day} as Vertex AI PipelineJob ${job.displayName}`,
    service: PIPELINE_SERVICE,
    method: "CreatePipelineJob",
    request: { parent, pipelineJobId: job.displayName, pipelineJob: job },
  };
}

export function planVertexPipelineSchedule(
  settings: TrainSettings,
  parameters: PipelineParameters,
  cron: string,
  timeZone = "Etc/UTC",
): Plan<CreateScheduleRequest> {
  const parent = vertexParent(settings);
  const job = vertexJob(settings, { ...parameters, day: "yesterday" });
  const schedule = {
    displayName: `${job.displayName.replace(/-yesterday$/, "")}-daily`,
    cron: `TZ=${timeZone} ${cron}`,
    maxConcurrentRunCount: "1",
    createPipelineJobRequest: { parent, pipelineJob: job },
  };
  return {
    summary: `schedule the batch-model pipeline at "${cron}" (${timeZone}) as Vertex AI Schedule ${schedule.displayName}`,
    service: SCHEDULE_SERVICE,
    method: "CreateSchedule",
    request: { parent, schedule },
  };
}

function kubeflowBase(
  settings: TrainSettings,
  parameters: PipelineParameters,
): { endpoint: string; body: KubeflowRunBody } {
  const kf = settings.kubeflow;
  const endpoint = required(
    kf.endpoint,
    "train.kubeflow.endpoint",
    `set "train": {"kubeflow": {"endpoint": "https://<kfp host>"}}`,
  ).replace(/\/+$/, "");
  const body: KubeflowRunBody = {
    display_name: jobName(parameters),
    description: `rox batch-model pipeline: ingest ${parameters.day} → train → register → gate → score → monitor`,
    pipeline_version_reference: {
      pipeline_id: required(
        kf.pipelineId,
        "train.kubeflow.pipelineId",
        "upload the spec of `rox pipeline compile` to Kubeflow and set its id",
      ),
      pipeline_version_id: required(
        kf.pipelineVersionId,
        "train.kubeflow.pipelineVersionId",
        "set the uploaded pipeline version's id",
      ),
    },
    runtime_config: { parameters },
  };
  if (settings.outputUri) body.runtime_config.pipeline_root = `${settings.outputUri.replace(/\/+$/, "")}/pipelines`;
  if (kf.experimentId) body.experiment_id = kf.experimentId;
  if (kf.serviceAccount) body.service_account = kf.serviceAccount;
  return { endpoint, body };
}

export function planKubeflowPipelineRun(
  settings: TrainSettings,
  parameters: PipelineParameters,
): Plan<KubeflowRunRequest> {
  const request = kubeflowBase(settings, parameters);
  return {
    summary: `run the batch-model pipeline for ${parameters.day} as Kubeflow run ${request.body.display_name}`,
    service: KUBEFLOW_SERVICE,
    method: "POST /apis/v2beta1/runs",
    request,
  };
}

/** KFP's cron has a seconds field first: `0 2 * * *` runs as `0 0 2 * * *`. */
export function planKubeflowRecurringRun(
  settings: TrainSettings,
  parameters: PipelineParameters,
  cron: string,
): Plan<KubeflowRecurringRunRequest> {
  const { endpoint, body } = kubeflowBase(settings, { ...parameters, day: "yesterday" });
  const recurring = {
    ...body,
    display_name: body.display_name.replace(/-yesterday$/, "-daily"),
    trigger: { cron_schedule: { cron: `0 ${cron}` } },
    mode: "ENABLE" as const,
    max_concurrency: "1",
    no_catchup: true,
  };
  return {
    summary: `schedule the batch-model pipeline at "${cron}" as Kubeflow recurring run ${recurring.display_name}`,
    service: KUBEFLOW_SERVICE,
    method: `POST ${RECURRING_RUNS_PATH}`,
    request: { endpoint, body: recurring },
  };
}
