/**
 * `rox monitor deploy`, planned (pure): Vertex AI Model Monitoring on an endpoint, watching the same features with
 * the same thresholds as `rox monitor`. Three calls: GetEndpoint (its deployed models, and any monitoring job it
 * already has), a BigQuery query job writing the model's training rows to a table (the baseline Vertex AI reads), and
 * JobService.CreateModelDeploymentMonitoringJob. Field names of google.cloud.aiplatform.v1
 * (model_deployment_monitoring_job.proto, model_monitoring.proto).
 */
import { featureDriftThresholds, type MonitorThresholds } from "../../transforms/monitor/thresholds";
import type { ModelCard } from "../../transforms/score/model-card";
import { formatModelRef, type ModelRef } from "../models/model-ref";
import { JOB_SERVICE } from "../models/vertex-plans";
import type { Plan } from "../plan";
import { labelValue } from "../train/label-rules";
import { ENDPOINT_SERVICE } from "../deploy/vertex-endpoint-plan";
import { MonitoringDeployError } from "./errors";

export const BIGQUERY_JOBS = "google.cloud.bigquery.v2.JobService";

export interface MonitoringDeploySettings {
  project: string;
  region: string;
  /** The endpoint's id (`rox deploy` names it `rox-<model>`) or its full resource name. */
  endpoint: string;
  /** Where the training rows are written and read from: the dataset holding the events table. */
  trainingDataset: { projectId: string; dataset: string };
  /** How often Vertex AI analyses the logged requests (whole hours, at least 1). */
  intervalHours: number;
  /** Share of the prediction requests logged for analysis, (0, 1]. */
  sampleRate: number;
  emails: string[];
  /** `projects/<p>/notificationChannels/<id>` (Cloud Monitoring). */
  notificationChannels: string[];
}

export interface GetEndpointRequest {
  name: string;
}

/** What GetEndpoint says: the deployed models and the monitoring job the endpoint has, if any. */
export interface EndpointMonitoringState {
  name: string;
  deployedModels: { id: string; model: string }[];
  monitoringJob?: string;
}

/** BigQuery `jobs.insert` of a query job (REST field names of google.cloud.bigquery.v2). */
export interface TrainingTableRequest {
  projectId: string;
  configuration: { query: { query: string; useLegacySql: false } };
}

type Thresholds = Record<string, { value: number }>;

export interface MonitoringJob {
  displayName: string;
  endpoint: string;
  modelDeploymentMonitoringObjectiveConfigs: {
    deployedModelId: string;
    objectiveConfig: {
      trainingDataset: { bigquerySource: { inputUri: string } };
      trainingPredictionSkewDetectionConfig: { skewThresholds: Thresholds };
      predictionDriftDetectionConfig: { driftThresholds: Thresholds };
    };
  }[];
  modelDeploymentMonitoringScheduleConfig: { monitorInterval: { seconds: string } };
  loggingSamplingStrategy: { randomSampleConfig: { sampleRate: number } };
  modelMonitoringAlertConfig: {
    emailAlertConfig?: { userEmails: string[] };
    notificationChannels?: string[];
    enableLogging: boolean;
  };
  labels: Record<string, string>;
}

export interface CreateMonitoringJobRequest {
  parent: string;
  modelDeploymentMonitoringJob: MonitoringJob;
}

const parentOf = (s: MonitoringDeploySettings) => `projects/${s.project}/locations/${s.region}`;
const ENDPOINT_ID = /^[a-z0-9]([-a-z0-9]{0,62})$/;
const ENDPOINT_NAME = /^projects\/[a-z0-9-]+\/locations\/[a-z0-9-]+\/endpoints\/[a-z0-9]([-a-z0-9]{0,62})$/;

export function endpointNameOf(s: MonitoringDeploySettings): string {
  if (ENDPOINT_NAME.test(s.endpoint)) return s.endpoint;
  if (!ENDPOINT_ID.test(s.endpoint))
    throw new MonitoringDeployError(`--endpoint "${s.endpoint}": an endpoint id or projects/…/endpoints/<id>`);
  return `${parentOf(s)}/endpoints/${s.endpoint}`;
}

export function planGetEndpoint(s: MonitoringDeploySettings): Plan<GetEndpointRequest> {
  const name = endpointNameOf(s);
  return {
    summary: `read Vertex AI endpoint ${name}`,
    service: ENDPOINT_SERVICE,
    method: "GetEndpoint",
    request: { name },
  };
}

/** `rox_training_<model>_v<version>`: BigQuery table names take no hyphen. */
export function trainingTableOf(card: Pick<ModelCard, "name" | "version">): string {
  return `rox_training_${card.name.replace(/[^A-Za-z0-9_]/g, "_")}_v${card.version ?? 0}`;
}

/** The query job writing `featureRows` (the model's training rows, features only) to the training table. */
export function planTrainingTable(
  s: MonitoringDeploySettings,
  card: ModelCard,
  featureRows: string,
): Plan<TrainingTableRequest> {
  const { projectId, dataset } = s.trainingDataset;
  const table = `${projectId}.${dataset}.${trainingTableOf(card)}`;
  const columns = card.features.map((f) => `\`${f.name}\``).join(", ");
  const query = `CREATE OR REPLACE TABLE \`${table}\` AS SELECT ${columns} FROM (${featureRows})`;
  return {
    summary: `write the training rows of ${card.name}@${card.version} (${card.split.train.rows} rows) to ${table}`,
    service: BIGQUERY_JOBS,
    method: `POST /bigquery/v2/projects/${projectId}/jobs`,
    request: { projectId, configuration: { query: { query, useLegacySql: false } } },
  };
}

/** The deployed models of `ref.name` on the endpoint (any version: Vertex names them `…/models/<name>[@…]`). */
function deployedIds(state: EndpointMonitoringState, ref: ModelRef): string[] {
  const ids = state.deployedModels
    .filter((m) => m.model.split("@")[0].endsWith(`/models/${ref.name}`))
    .map((m) => m.id);
  if (ids.length === 0)
    throw new MonitoringDeployError(
      `no deployed model of ${ref.name} on ${state.name} (rox deploy --target vertex-endpoint puts it there)`,
    );
  return ids;
}

export function planMonitoringJob(
  s: MonitoringDeploySettings,
  ref: ModelRef,
  card: ModelCard,
  t: MonitorThresholds,
  state: EndpointMonitoringState,
): Plan<CreateMonitoringJobRequest> {
  if (state.monitoringJob)
    throw new MonitoringDeployError(
      `${state.name} already has a monitoring job (${state.monitoringJob}); Vertex AI allows one per endpoint: ` +
        `delete it (gcloud ai model-monitoring-jobs delete) and run rox monitor deploy again`,
    );
  const thresholds: Thresholds = Object.fromEntries(
    Object.entries(featureDriftThresholds(card.features, t)).map(([name, value]) => [name, { value }]),
  );
  const inputUri = `bq://${s.trainingDataset.projectId}.${s.trainingDataset.dataset}.${trainingTableOf(card)}`;
  const objectiveConfig = {
    trainingDataset: { bigquerySource: { inputUri } },
    trainingPredictionSkewDetectionConfig: { skewThresholds: thresholds },
    predictionDriftDetectionConfig: { driftThresholds: thresholds },
  };
  const job: MonitoringJob = {
    displayName: `rox-${ref.name}-monitoring`,
    endpoint: state.name,
    modelDeploymentMonitoringObjectiveConfigs: deployedIds(state, ref).map((id) => ({
      deployedModelId: id,
      objectiveConfig,
    })),
    modelDeploymentMonitoringScheduleConfig: { monitorInterval: { seconds: String(s.intervalHours * 3600) } },
    loggingSamplingStrategy: { randomSampleConfig: { sampleRate: s.sampleRate } },
    modelMonitoringAlertConfig: alertConfig(s),
    labels: { rox_model: labelValue(ref.name), rox_version: `v${card.version ?? 0}` },
  };
  return {
    summary: `monitor ${formatModelRef(ref)} (v${card.version}) on ${state.name} every ${s.intervalHours} h`,
    service: JOB_SERVICE,
    method: "CreateModelDeploymentMonitoringJob",
    request: { parent: parentOf(s), modelDeploymentMonitoringJob: job },
  };
}

function alertConfig(s: MonitoringDeploySettings): MonitoringJob["modelMonitoringAlertConfig"] {
  return {
    ...(s.emails.length > 0 ? { emailAlertConfig: { userEmails: s.emails } } : {}),
    ...(s.notificationChannels.length > 0 ? { notificationChannels: s.notificationChannels } : {}),
    enableLogging: true,
  };
}
