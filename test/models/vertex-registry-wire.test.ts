import * as fs from "fs";
/**
 * The registry on Vertex AI at the wire: the real @google-cloud/aiplatform clients against in-test gRPC servers built
 * from the protos they ship. UploadModel (a long-running operation, answered done with its UploadModelResponse),
 * MergeVersionAliases, CreateBatchPredictionJob: the exact requests, and the answers read back.
 */
import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import * as protobuf from "protobufjs";
import { CloudApiError, MissingSettingError } from "../../launcher/cloud/errors";
import { applyVertexAliases, applyVertexBatchPrediction, applyVertexUpload } from "../../launcher/models/vertex-apply";
import {
  planVertexAliases,
  planVertexBatchPrediction,
  planVertexUpload,
  PREBUILT_XGBOOST,
  type VertexModelSettings,
} from "../../launcher/models/vertex-plans";
import type { RegisteredModel } from "../../launcher/models/registry";
import type { ModelCard } from "../../transforms/score/model-card";
import { startWireServer, WireFailure, type WireHandler, type WireServer } from "../support/grpc-wire-server";

const packageDir = path.dirname(require.resolve("@google-cloud/aiplatform/package.json"));
const protoRoot = path.join(packageDir, "build", "protos");
const types = protobuf.Root.fromJSON(JSON.parse(fs.readFileSync(path.join(protoRoot, "protos.json"), "utf8")));
const TINY_RETRY = { attempts: 2, initialDelayMs: 1, retryOn: ["unavailable"] as const };
const settings: VertexModelSettings = {
  project: "rox-test-project",
  region: "europe-west4",
  servingImage: PREBUILT_XGBOOST,
  machineType: "n1-standard-4",
  replicas: 2,
};
const parent = "projects/rox-test-project/locations/europe-west4";
const card = {
  name: "flights-delay",
  schema: { name: "flights", version: 1, table: "flights" },
  target: { name: "delay" },
  framework: { library: "xgboost", version: "3.2.0" },
  features: [
    { name: "distance", kind: "number" },
    { name: "origin", kind: "category", categories: ["ATL"] },
  ],
  metrics: { testRows: 1000, model: { mae: 16.1, rmse: 26.5 }, mean: { mae: 17.9, rmse: 29 } },
} as unknown as ModelCard;
const version = (v: number, aliases: string[] = ["challenger"]): RegisteredModel => ({
  name: "flights-delay",
  version: v,
  uri: `gs://rox-test-models/registry/flights-delay/v${v}`,
  schema: "flights",
  schemaVersion: 1,
  registeredAt: "2001-02-01T00:00:00.000Z",
  aliases,
  sha256: "ab".repeat(32),
  metrics: card.metrics,
});

let handlers: Record<string, WireHandler> = {};
const dispatch =
  (method: string): WireHandler =>
  (request) =>
    handlers[method]?.(request) ?? new WireFailure(grpc.status.UNIMPLEMENTED, method);
let models: WireServer;
let jobs: WireServer;

beforeAll(async () => {
  const v1 = "google/cloud/aiplatform/v1";
  models = await startWireServer({
    protoRoot,
    protoFile: `${v1}/model_service.proto`,
    service: "google.cloud.aiplatform.v1.ModelService",
    handlers: { UploadModel: dispatch("UploadModel"), MergeVersionAliases: dispatch("MergeVersionAliases") },
  });
  jobs = await startWireServer({
    protoRoot,
    protoFile: `${v1}/job_service.proto`,
    service: "google.cloud.aiplatform.v1.JobService",
    handlers: { CreateBatchPredictionJob: dispatch("CreateBatchPredictionJob") },
  });
});
afterAll(async () => Promise.all([models?.stop(), jobs?.stop()]));
beforeEach(() => {
  handlers = {};
  models.requests.length = 0;
  jobs.requests.length = 0;
});

/** A finished long-running operation carrying `response` as the Any the client unpacks. */
function doneOperation(type: string, response: Record<string, unknown>) {
  const message = types.lookupType(type);
  return {
    name: `${parent}/operations/1`,
    done: true,
    response: {
      type_url: `type.googleapis.com/${type}`,
      value: Buffer.from(message.encode(message.fromObject(response)).finish()),
    },
  };
}

test("the first version creates the model under its rox name; a later one is a version of it (parentModel)", async () => {
  handlers.UploadModel = (r) =>
    doneOperation("google.cloud.aiplatform.v1.UploadModelResponse", {
      model: `${parent}/models/flights-delay`,
      modelVersionId: r.parentModel ? "2" : "1",
    });
  const first = planVertexUpload(settings, version(1), card);
  const second = planVertexUpload(settings, version(2), card);
  expect(await applyVertexUpload(first, settings.region, models.address, TINY_RETRY)).toEqual({
    model: `${parent}/models/flights-delay`,
    versionId: "1",
  });
  expect(await applyVertexUpload(second, settings.region, models.address, TINY_RETRY)).toEqual({
    model: `${parent}/models/flights-delay`,
    versionId: "2",
  });
  expect(models.requests).toEqual([
    { method: "UploadModel", request: first.request },
    { method: "UploadModel", request: second.request },
  ]);
  expect(first.request).toMatchObject({
    modelId: "flights-delay",
    model: {
      artifactUri: "gs://rox-test-models/registry/flights-delay/v1",
      versionAliases: ["rox-v1", "challenger"],
      containerSpec: { imageUri: PREBUILT_XGBOOST },
    },
  });
  expect(second.request).toMatchObject({ parentModel: `${parent}/models/flights-delay` });
  expect(second.request).not.toHaveProperty("modelId");
});

test("with the serving image, the version's container runs rox serve on that version, its store and warehouse", async () => {
  handlers.UploadModel = () =>
    doneOperation("google.cloud.aiplatform.v1.UploadModelResponse", {
      model: `${parent}/models/flights-delay`,
      modelVersionId: "3",
    });
  const serving = { ...settings, servingImage: "europe-docker.pkg.dev/rox-test-project/rox/serve:1" };
  const serveArgs = ["--warehouse", "bigquery", "--project", "rox-test-project", "--dataset", "rox_events"];
  const plan = planVertexUpload(serving, version(3, ["champion"]), card, serveArgs);
  await applyVertexUpload(plan, settings.region, models.address, TINY_RETRY);
  // Sent through the real client and decoded by the proto on the server: every field name exists in v1.
  expect(models.requests).toEqual([{ method: "UploadModel", request: plan.request }]);
  expect(plan.request.model.containerSpec).toEqual({
    imageUri: "europe-docker.pkg.dev/rox-test-project/rox/serve:1",
    env: [
      { name: "ROX_MODEL", value: "flights-delay@3" },
      { name: "ROX_MODEL_STORE", value: "gs://rox-test-models/registry" },
      { name: "ROX_SERVE_ARGS", value: "--warehouse bigquery --project rox-test-project --dataset rox_events" },
    ],
    ports: [{ containerPort: 8080 }],
    predictRoute: "/predict",
    healthRoute: "/health",
  });
  expect(() => planVertexUpload(serving, version(3), card)).toThrow(MissingSettingError);
});

test("a version in the local store cannot be uploaded: Vertex AI reads Cloud Storage", () => {
  expect(() =>
    planVertexUpload(settings, { ...version(1), uri: "/home/me/.rox/models/flights-delay/v1" }, card),
  ).toThrow(MissingSettingError);
});

test("promotion moves champion onto the version (named by its rox alias) and drops challenger", async () => {
  handlers.MergeVersionAliases = () => ({
    name: `${parent}/models/flights-delay`,
    versionId: "2",
    versionAliases: ["rox-v2", "champion"],
  });
  const plan = planVertexAliases(settings, "flights-delay", 2, ["champion"], ["challenger"]);
  expect(await applyVertexAliases(plan, settings.region, models.address, TINY_RETRY)).toEqual({
    versionId: "2",
    aliases: ["rox-v2", "champion"],
  });
  expect(models.requests).toEqual([
    {
      method: "MergeVersionAliases",
      request: { name: `${parent}/models/flights-delay@rox-v2`, versionAliases: ["champion", "-challenger"] },
    },
  ]);
});

test("a permission error is typed and names the call", async () => {
  handlers.MergeVersionAliases = () =>
    new WireFailure(grpc.status.PERMISSION_DENIED, "Permission 'aiplatform.models.update' denied");
  const err = await applyVertexAliases(
    planVertexAliases(settings, "flights-delay", 2, ["champion"]),
    settings.region,
    models.address,
    TINY_RETRY,
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CloudApiError);
  expect(err).toMatchObject({ failure: "permission-denied", method: "MergeVersionAliases" });
});

test("batch prediction reads the day's feature rows from BigQuery, in the card's feature order, into a BigQuery dataset", async () => {
  handlers.CreateBatchPredictionJob = (r) => ({
    ...(r.batchPredictionJob as object),
    name: `${parent}/batchPredictionJobs/7`,
    state: "JOB_STATE_PENDING",
  });
  const plan = planVertexBatchPrediction(settings, version(2, ["champion"]), card, {
    featureTable: "rox-test-project.rox_events.flights_features_20010115",
    outputDataset: "rox-test-project.rox_scores",
    day: "2001-01-15",
  });
  expect(await applyVertexBatchPrediction(plan, settings.region, jobs.address, TINY_RETRY)).toEqual({
    name: `${parent}/batchPredictionJobs/7`,
    state: "JOB_STATE_PENDING",
  });
  expect(jobs.requests).toEqual([{ method: "CreateBatchPredictionJob", request: plan.request }]);
  expect(plan.request.batchPredictionJob).toMatchObject({
    model: `${parent}/models/flights-delay@rox-v2`,
    inputConfig: {
      instancesFormat: "bigquery",
      bigquerySource: { inputUri: "bq://rox-test-project.rox_events.flights_features_20010115" },
    },
    instanceConfig: { instanceType: "array", includedFields: ["distance", "origin"] },
    outputConfig: {
      predictionsFormat: "bigquery",
      bigqueryDestination: { outputUri: "bq://rox-test-project.rox_scores" },
    },
  });
});
