/**
 * `rox monitor deploy` at the wire: the real @google-cloud/aiplatform clients against an in-test gRPC server built
 * from the EndpointService and JobService protos they ship, and the real @google-cloud/bigquery client against a JSON
 * REST stand-in. The exact requests, `--dry-run` printing what is sent, an endpoint that already has a monitoring job
 * refused, and the thresholds sent equal to those `rox monitor` judges the same model's drift with.
 */
import * as fs from "fs";
import * as path from "path";
import { monitorCommand } from "../../launcher/commands/monitor";
import { modelsCommand } from "../../launcher/commands/models";
import { loadConfig } from "../../launcher/config";
import { MonitoringDeployError } from "../../launcher/monitor/errors";
import { modelThresholds, monitorSettings } from "../../launcher/monitor/settings";
import type { CreateMonitoringJobRequest } from "../../launcher/monitor/vertex-monitoring-plan";
import type { Plan } from "../../launcher/plan";
import { featureDrift } from "../../transforms/monitor/drift";
import type { ModelCard } from "../../transforms/score/model-card";
import { captureConsole } from "../support/console-capture";
import { startWireServer, type WireServer } from "../support/grpc-wire-server";
import { startJsonWireServer, type JsonRequest, type JsonWireServer } from "../support/json-wire-server";
import { tempDir } from "../support/temp";
import { flightsDelayCard, writeModelFolder } from "./card-fixture";

const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/aiplatform/package.json")), "build", "protos");
const V1 = "google.cloud.aiplatform.v1";
const PARENT = "projects/rox-prod/locations/europe-west4";
const ENDPOINT = `${PARENT}/endpoints/rox-flights-delay`;
const JOB = `${PARENT}/modelDeploymentMonitoringJobs/42`;

let endpoint: Record<string, unknown> = {};
let vertex: WireServer;
let bigquery: JsonWireServer;
const bigqueryRequests: JsonRequest[] = [];
const work = tempDir("monitor-deploy");
const warehouse = path.join(work.dir, "warehouse.duckdb");
const config = path.join(work.dir, "rox.config.json");
const card: ModelCard = flightsDelayCard();

beforeAll(async () => {
  vertex = await startWireServer({
    protoRoot,
    protoFile: "google/cloud/aiplatform/v1/endpoint_service.proto",
    service: `${V1}.EndpointService`,
    moreServices: [{ protoFile: "google/cloud/aiplatform/v1/job_service.proto", service: `${V1}.JobService` }],
    handlers: {
      GetEndpoint: () => endpoint,
      CreateModelDeploymentMonitoringJob: (r) => ({ ...(r.modelDeploymentMonitoringJob as object), name: JOB }),
    },
  });
  bigquery = await startJsonWireServer(answerAsBigQuery);
  fs.writeFileSync(
    config,
    JSON.stringify({
      project: "rox-prod",
      region: "europe-west4",
      monitoring: { features: { distance: { threshold: 0.2 } } },
    }),
  );
  const folder = writeModelFolder(path.join(work.dir, "trained"), card);
  const store = ["--store", path.join(work.dir, "models"), "--warehouse", warehouse];
  await modelsCommand(["register", "--from", folder, "--alias", "champion", ...store]);
});
afterAll(async () => {
  await vertex?.stop();
  await bigquery?.close();
  work.cleanup();
});
beforeEach(() => {
  vertex.requests.length = 0;
  bigqueryRequests.length = 0;
  endpoint = {
    name: ENDPOINT,
    displayName: "rox-flights-delay",
    deployedModels: [
      { id: "111", model: `${PARENT}/models/flights-delay` },
      { id: "222", model: `${PARENT}/models/another-model` },
    ],
  };
});

/** BigQuery's REST answers for one query job: inserted and done, then its (empty) results. */
function answerAsBigQuery(request: JsonRequest) {
  bigqueryRequests.push(request);
  const jobReference = { projectId: "rox-prod", jobId: "j1", location: "EU" };
  if (request.method === "POST") return { status: 200, body: { jobReference, status: { state: "DONE" } } };
  return { status: 200, body: { jobReference, jobComplete: true, totalRows: "0", rows: [], schema: { fields: [] } } };
}

const printed = captureConsole();
const args = (...more: string[]) => [
  ...["deploy", "--model", "flights-delay@champion", "--endpoint", "rox-flights-delay", "--config", config],
  ...["--warehouse", warehouse, "--store", path.join(work.dir, "models"), "--training-dataset", "rox-prod.rox_events"],
  ...["--api-endpoint", vertex.address, "--bigquery-endpoint", bigquery.url],
  ...["--email", "ml-oncall@example.com", "--notification-channel", "projects/rox-prod/notificationChannels/7"],
  ...more,
];

test("prints the plans with --dry-run, sending only GetEndpoint", async () => {
  await monitorCommand(args("--dry-run"));
  const plans = JSON.parse(printed.out.join("\n")) as Plan[];
  expect(plans.map((p) => p.method)).toEqual([
    "GetEndpoint",
    "POST /bigquery/v2/projects/rox-prod/jobs",
    "CreateModelDeploymentMonitoringJob",
  ]);
  expect(vertex.requests.map((r) => r.method)).toEqual(["GetEndpoint"]);
  expect(bigqueryRequests).toEqual([]);
});

const EVENTS = "`rox-prod.rox_events.flights` e";
const WINDOWS = "`rox-prod.rox_events.flights_origin_hourly` w0";
const TRAINING_ROWS =
  "SELECT e.`event_id` AS `event_id`, e.`date` AS `event_time`, e.`delay` AS `label`, e.`_run_id` AS `run_id`, " +
  "e.`distance` AS `distance`, e.`hour_of_day` AS `hour_of_day`, e.`day_of_week` AS `day_of_week`, " +
  "e.`origin` AS `origin`, coalesce(w0.`flights`, 0) AS `origin_prev_flights`, " +
  "w0.`mean_delay` AS `origin_prev_mean_delay`, w0.`max_delay` AS `origin_prev_max_delay`, " +
  `w0.\`delayed_share\` AS \`origin_prev_delayed_share\` FROM ${EVENTS} LEFT JOIN ${WINDOWS} ` +
  "ON w0.`origin` = e.`origin` AND w0.`window_end` = TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(e.`date`), 3600) * 3600) " +
  "WHERE FORMAT_DATE('%Y-%m-%d', DATE(e.`date`)) >= '2001-01-08' AND FORMAT_DATE('%Y-%m-%d', DATE(e.`date`)) < " +
  "'2001-01-10' AND e.`date` >= TIMESTAMP('2001-01-08T00:05:00.000Z') AND e.`date` <= " +
  "TIMESTAMP('2001-01-09T17:55:00.000Z')";
const FEATURES =
  "`distance`, `hour_of_day`, `day_of_week`, `origin`, `origin_prev_flights`, `origin_prev_mean_delay`, " +
  "`origin_prev_max_delay`, `origin_prev_delayed_share`";
const TABLE = "rox-prod.rox_events.rox_training_flights_delay_v1";

// The config's 0.2 for distance over the 0.3 default; day_of_week ("monitor": {"drift": false}) is not watched.
const THRESHOLDS = {
  distance: { value: 0.2 },
  hour_of_day: { value: 0.3 },
  origin: { value: 0.3 },
  origin_prev_flights: { value: 0.3 },
  origin_prev_mean_delay: { value: 0.3 },
  origin_prev_max_delay: { value: 0.3 },
  origin_prev_delayed_share: { value: 0.3 },
};

const CREATE = {
  method: "CreateModelDeploymentMonitoringJob",
  request: {
    parent: PARENT,
    modelDeploymentMonitoringJob: {
      displayName: "rox-flights-delay-monitoring",
      endpoint: ENDPOINT,
      modelDeploymentMonitoringObjectiveConfigs: [
        {
          deployedModelId: "111",
          objectiveConfig: {
            trainingDataset: { bigquerySource: { inputUri: `bq://${TABLE}` } },
            trainingPredictionSkewDetectionConfig: { skewThresholds: THRESHOLDS },
            predictionDriftDetectionConfig: { driftThresholds: THRESHOLDS },
          },
        },
      ],
      modelDeploymentMonitoringScheduleConfig: { monitorInterval: { seconds: "86400" } },
      loggingSamplingStrategy: { randomSampleConfig: { sampleRate: 0.8 } },
      modelMonitoringAlertConfig: {
        emailAlertConfig: { userEmails: ["ml-oncall@example.com"] },
        notificationChannels: ["projects/rox-prod/notificationChannels/7"],
        enableLogging: true,
      },
      labels: { rox_model: "flights-delay", rox_version: "v1" },
    },
  },
};

test("sends exactly the planned requests: the endpoint read, the training table, the monitoring job", async () => {
  await monitorCommand(args("--dry-run"));
  const planned = JSON.parse(printed.out.join("\n")) as Plan[];
  vertex.requests.length = 0;
  await monitorCommand(args());
  expect(vertex.requests).toEqual([{ method: "GetEndpoint", request: { name: ENDPOINT } }, CREATE]);
  const query = `CREATE OR REPLACE TABLE \`${TABLE}\` AS SELECT ${FEATURES} FROM (${TRAINING_ROWS})`;
  expect(bigqueryRequests[0]).toMatchObject({
    method: "POST",
    path: "/bigquery/v2/projects/rox-prod/jobs",
    body: { configuration: { query: { query, useLegacySql: false } } },
  });
  expect(bigqueryRequests.slice(1).map((r) => r.method)).toEqual(["GET"]);
  const sentToVertex = planned.filter((p) => !p.method.startsWith("POST "));
  expect(sentToVertex.map((p) => ({ method: p.method, request: p.request }))).toEqual(vertex.requests);
  expect(planned[1].request).toEqual({
    projectId: "rox-prod",
    configuration: { query: { query, useLegacySql: false } },
  });
  expect(printed.out.join("\n")).toContain(`created Vertex AI model monitoring job ${JOB}`);
});

test("the thresholds sent are the ones rox monitor judges the same model's drift with", async () => {
  await monitorCommand(args("--dry-run"));
  const plans = JSON.parse(printed.out.join("\n")) as Plan[];
  const job = (plans[2].request as CreateMonitoringJobRequest).modelDeploymentMonitoringJob;
  const objective = job.modelDeploymentMonitoringObjectiveConfigs[0].objectiveConfig;
  const sent = objective.trainingPredictionSkewDetectionConfig.skewThresholds;
  // rox monitor's own drift rows for this card (one row a feature), under the same config.
  const t = modelThresholds(monitorSettings(loadConfig(config)), card);
  const rows = [Object.fromEntries(card.features.map((f) => [f.name, f.kind === "category" ? "LAX" : 5]))];
  const batch = featureDrift(card, rows, t).filter((r) => r.metric.startsWith("drift."));
  expect(Object.fromEntries(batch.map((r) => [r.feature, { value: r.threshold }]))).toEqual(sent);
  expect(objective.predictionDriftDetectionConfig.driftThresholds).toEqual(sent);
});

test("an endpoint with a monitoring job already is refused, naming it; nothing is sent after the read", async () => {
  endpoint = { ...endpoint, modelDeploymentMonitoringJob: `${PARENT}/modelDeploymentMonitoringJobs/7` };
  const err = await monitorCommand(args()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MonitoringDeployError);
  expect((err as Error).message).toContain("modelDeploymentMonitoringJobs/7");
  expect(vertex.requests.map((r) => r.method)).toEqual(["GetEndpoint"]);
  expect(bigqueryRequests).toEqual([]);
});

test("an endpoint without the model deployed is refused", async () => {
  endpoint = { ...endpoint, deployedModels: [{ id: "222", model: `${PARENT}/models/another-model` }] };
  await expect(monitorCommand(args())).rejects.toThrow(/no deployed model of flights-delay/);
  expect(bigqueryRequests).toEqual([]);
});

test("a DuckDB registry with no --training-dataset is a usage error before any call", async () => {
  const without = args().filter((a, i, all) => a !== "--training-dataset" && all[i - 1] !== "--training-dataset");
  await expect(monitorCommand(without)).rejects.toThrow(/--training-dataset/);
  expect(vertex.requests).toEqual([]);
});
