/**
 * Vertex AI's side of the registry and of batch scoring, as plans (pure): a registered version uploaded to Vertex AI
 * Model Registry (`UploadModel`: the first version creates the model under its rox name, later ones are versions of it
 * via `parentModel`), aliases moved with `MergeVersionAliases`, and Vertex AI Batch Prediction over a day's feature
 * rows in BigQuery. Each rox version also carries the alias `rox-v<n>`, so rox and Vertex agree on which is which.
 */
import type { Plan } from "../plan";
import { MissingSettingError } from "../cloud/errors";
import { labelValue } from "../train/label-rules";
import type { ModelCard } from "../../transforms/score/model-card";
import type { RegisteredModel } from "./registry";
import { versionPath } from "./model-store";
import { SERVE_HEALTH_ROUTE, SERVE_PORT, SERVE_PREDICT_ROUTE, serveEnv } from "../deploy/serve-container";

export const MODEL_SERVICE = "google.cloud.aiplatform.v1.ModelService";
export const JOB_SERVICE = "google.cloud.aiplatform.v1.JobService";
/** Vertex AI's prebuilt XGBoost serving container (reads model.bst); `models.servingImage` overrides it. */
export const PREBUILT_XGBOOST = "us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.2-1:latest";

export interface VertexModelSettings {
  project: string;
  region: string;
  servingImage: string;
  serviceAccount?: string;
  /** Batch prediction: the machine and how many. */
  machineType: string;
  replicas: number;
}

export interface UploadModelRequest {
  parent: string;
  modelId?: string;
  parentModel?: string;
  model: {
    displayName: string;
    description: string;
    artifactUri: string;
    containerSpec: ContainerSpec;
    versionAliases: string[];
    versionDescription: string;
    labels: Record<string, string>;
  };
  serviceAccount?: string;
}

/** google.cloud.aiplatform.v1.ModelContainerSpec: the prebuilt image needs only its URI; `rox serve` its settings. */
export interface ContainerSpec {
  imageUri: string;
  env?: { name: string; value: string }[];
  ports?: { containerPort: number }[];
  predictRoute?: string;
  healthRoute?: string;
}

export interface MergeVersionAliasesRequest {
  /** `projects/…/models/<id>@<alias>`: the version, named by its rox alias. */
  name: string;
  /** Aliases to add; `-alias` removes one. */
  versionAliases: string[];
}

export interface CreateBatchPredictionJobRequest {
  parent: string;
  batchPredictionJob: {
    displayName: string;
    model: string;
    inputConfig: { instancesFormat: "bigquery"; bigquerySource: { inputUri: string } };
    instanceConfig: { instanceType: "array"; includedFields: string[] };
    outputConfig: { predictionsFormat: "bigquery"; bigqueryDestination: { outputUri: string } };
    dedicatedResources: { machineSpec: { machineType: string }; startingReplicaCount: number; maxReplicaCount: number };
    labels: Record<string, string>;
    serviceAccount?: string;
  };
}

const parentOf = (s: VertexModelSettings) => `projects/${s.project}/locations/${s.region}`;
const modelName = (s: VertexModelSettings, name: string) => `${parentOf(s)}/models/${name}`;
export const roxAlias = (version: number) => `rox-v${version}`;

/**
 * The version's container. Any image but the prebuilt one is the serving image (docker/serve.Dockerfile): Vertex AI
 * starts it with this version pinned (`name@<version>`: a Vertex version serves exactly its own model), the store the
 * version lies in, and `serveArgs`, the warehouse the registry and the window lookups are read from.
 */
export function containerSpecOf(s: VertexModelSettings, model: RegisteredModel, serveArgs?: string[]): ContainerSpec {
  if (s.servingImage === PREBUILT_XGBOOST) return { imageUri: s.servingImage };
  if (!serveArgs)
    throw new MissingSettingError("warehouse", "the serving image reads the registry: pass --warehouse bigquery");
  const inStore = `/${versionPath(model.name, model.version)}`;
  if (!model.uri.endsWith(inStore))
    throw new MissingSettingError("models.store", `${model.uri} is not <store>${inStore}: register it again`);
  const store = model.uri.slice(0, -inStore.length);
  return {
    imageUri: s.servingImage,
    env: serveEnv({ model: `${model.name}@${model.version}`, store, serveArgs }),
    ports: [{ containerPort: SERVE_PORT }],
    predictRoute: SERVE_PREDICT_ROUTE,
    healthRoute: SERVE_HEALTH_ROUTE,
  };
}

export function planVertexUpload(
  s: VertexModelSettings,
  model: RegisteredModel,
  card: ModelCard,
  serveArgs?: string[],
): Plan<UploadModelRequest> {
  if (!model.uri.startsWith("gs://"))
    throw new MissingSettingError(
      "models.store",
      `Vertex AI reads a model from Cloud Storage: register it with --store gs://<bucket>/<prefix> (it is in ${model.uri})`,
    );
  const first = model.version === 1;
  const request: UploadModelRequest = {
    parent: parentOf(s),
    ...(first ? { modelId: model.name } : { parentModel: modelName(s, model.name) }),
    model: {
      displayName: model.name,
      description: `rox model ${model.name}: ${card.target.name} of ${card.schema.name}, XGBoost ${card.framework.version}`,
      artifactUri: model.uri,
      containerSpec: containerSpecOf(s, model, serveArgs),
      versionAliases: [roxAlias(model.version), ...model.aliases],
      versionDescription: `rox ${model.name}@${model.version}: held-out MAE ${card.metrics.model.mae.toFixed(3)} (mean ${card.metrics.mean.mae.toFixed(3)}) on ${card.metrics.testRows} rows`,
      labels: {
        rox_model: labelValue(model.name),
        rox_version: String(model.version),
        rox_schema: labelValue(card.schema.name),
        rox_sha256: model.sha256.slice(0, 16),
      },
    },
  };
  if (s.serviceAccount) request.serviceAccount = s.serviceAccount;
  return {
    summary: `upload ${model.name}@${model.version} to Vertex AI Model Registry${first ? "" : ` as a new version of ${model.name}`}`,
    service: MODEL_SERVICE,
    method: "UploadModel",
    request,
  };
}

/** Moving an alias onto a version takes it off the version that had it (Vertex AI keeps aliases unique per model). */
export function planVertexAliases(
  s: VertexModelSettings,
  name: string,
  version: number,
  add: string[],
  remove: string[] = [],
): Plan<MergeVersionAliasesRequest> {
  return {
    summary: `set ${add.join(", ")}${remove.length ? ` (and drop ${remove.join(", ")})` : ""} on ${name}@${version} in Vertex AI Model Registry`,
    service: MODEL_SERVICE,
    method: "MergeVersionAliases",
    request: {
      name: `${modelName(s, name)}@${roxAlias(version)}`,
      versionAliases: [...add, ...remove.map((a) => `-${a}`)],
    },
  };
}

/**
 * Vertex AI Batch Prediction of one day: the instances are the model's feature rows (a BigQuery table or view the
 * caller names, the same rows `rox score` reads), sent as arrays in the card's feature order; Vertex writes its own
 * `predictions_<time>` table into the output dataset.
 */
export function planVertexBatchPrediction(
  s: VertexModelSettings,
  model: RegisteredModel,
  card: ModelCard,
  source: { featureTable: string; outputDataset: string; day: string },
): Plan<CreateBatchPredictionJobRequest> {
  const job: CreateBatchPredictionJobRequest["batchPredictionJob"] = {
    displayName: `rox-score-${model.name}-v${model.version}-${source.day}`,
    model: `${modelName(s, model.name)}@${roxAlias(model.version)}`,
    inputConfig: { instancesFormat: "bigquery", bigquerySource: { inputUri: `bq://${source.featureTable}` } },
    instanceConfig: { instanceType: "array", includedFields: card.features.map((f) => f.name) },
    outputConfig: { predictionsFormat: "bigquery", bigqueryDestination: { outputUri: `bq://${source.outputDataset}` } },
    dedicatedResources: {
      machineSpec: { machineType: s.machineType },
      startingReplicaCount: s.replicas,
      maxReplicaCount: s.replicas,
    },
    labels: { rox_model: labelValue(model.name), rox_version: String(model.version), rox_day: source.day },
  };
  if (s.serviceAccount) job.serviceAccount = s.serviceAccount;
  return {
    summary: `score ${source.day} with ${model.name}@${model.version} as Vertex AI batch prediction job ${job.displayName}`,
    service: JOB_SERVICE,
    method: "CreateBatchPredictionJob",
    request: { parent: parentOf(s), batchPredictionJob: job },
  };
}
