import * as grpc from "@grpc/grpc-js";
import * as fs from "fs";
import * as path from "path";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { trainCommand } from "../../launcher/commands/train";
import { UsageError } from "../../launcher/errors";
import { renderPlans } from "../../launcher/plan";
import { writeFlightSample } from "../../tools/sample/flights";
import { planKubeflowRun } from "../../launcher/train/kubeflow-plan";
import { lineageOf, type SliceFacts } from "../../launcher/train/lineage";
import { readTrainSettings } from "../../launcher/train/settings";
import { NoTrainingDataError } from "../../launcher/train/train-run";
import type { CreateCustomJobRequest, CreatePipelineJobRequest } from "../../launcher/train/vertex-plans";
import { planVertexCustomJob, planVertexPipelineJob } from "../../launcher/train/vertex-plans";
import { runBatchJob } from "../../pipelines/batch-job";
import type { JobSummary } from "../../transforms/summary";
import { bigQueryWarehouseFlags, inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { expectGoldenFile } from "../support/golden";
import { startWireServer, WireFailure, type WireHandler, type WireServer } from "../support/grpc-wire-server";
import { itNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";

// A real batch run of a few thousand flights into bqemulator, then `rox train --warehouse bigquery`: the lineage is read
// with GoogleSQL, and the cloud plans point the trainer at the slice's bq:// URI. The CustomJob also goes over the wire
// to an in-test Vertex AI server built from the protos @google-cloud/aiplatform ships.
const bq = useBigQueryEmulator();
const DATASET = "rox_train";
const DAY = "2001-01-03";
const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/aiplatform/package.json")), "build", "protos");

let work: ReturnType<typeof tempDir>;
let summary: JobSummary;
const rowsOn: Record<string, number> = {};
let windowRowsOnDay = 0;
let vertex: WireServer;
let handlers: Record<string, WireHandler> = {};
const dispatch =
  (method: string): WireHandler =>
  (request) =>
    handlers[method] ? handlers[method](request) : new WireFailure(grpc.status.UNIMPLEMENTED, method);

beforeAll(async () => {
  work = tempDir("train-bq");
  vertex = await startWireServer({
    protoRoot,
    protoFile: "google/cloud/aiplatform/v1/job_service.proto",
    service: "google.cloud.aiplatform.v1.JobService",
    handlers: { ListCustomJobs: dispatch("ListCustomJobs"), CreateCustomJob: dispatch("CreateCustomJob") },
  });
  if (!bq.emulator) return;
  const input = path.join(work.dir, "events");
  await writeFlightSample({ outDir: input, format: "jsonl", by: "day", from: DAY, to: "2001-01-04", limit: 2500 });
  await writeFlightSample({
    outDir: input,
    format: "jsonl",
    by: "day",
    from: "2001-01-04",
    to: "2001-01-05",
    limit: 800,
  });
  await inBigQuery(async (warehouse) => {
    summary = await runBatchJob({ input, schema: "flights", workDir: work.dir }, warehouse);
    for (const row of await warehouse.query(
      "SELECT CAST(DATE(`date`) AS STRING) AS day, count(*) AS n FROM flights GROUP BY 1",
    ))
      rowsOn[String(row.day)] = Number(row.n);
    windowRowsOnDay = Number(
      (
        await warehouse.query(
          `SELECT count(*) AS n FROM flights_origin_hourly WHERE CAST(DATE(window_start) AS STRING) = '${DAY}'`,
        )
      )[0].n,
    );
  });
}, 300_000);
afterAll(async () => {
  await vertex?.stop();
  work?.cleanup();
});
beforeEach(() => {
  handlers = {};
  if (vertex) vertex.requests.length = 0;
});

const inBigQuery = <T>(read: (warehouse: BigQueryWarehouse) => Promise<T>): Promise<T> =>
  inEmulatorDataset(bq.emulator!, DATASET, read);

function config(): string {
  const file = path.join(work.dir, "rox.config.json");
  const train = {
    image: "europe-west4-docker.pkg.dev/rox-test/trainers/delay:1",
    outputUri: "gs://rox-test-models/train",
    pipelineTemplate: "gs://rox-test-models/pipelines/delay.json",
  };
  fs.writeFileSync(
    file,
    JSON.stringify({
      region: "europe-west4",
      train: { ...train, kubeflow: { endpoint: "http://kfp.test", pipelineId: "p1", pipelineVersionId: "v1" } },
    }),
  );
  return file;
}

const onBigQuery = (...args: string[]) => [
  ...bigQueryWarehouseFlags(bq.emulator!, DATASET),
  "--config",
  config(),
  ...args,
];
const quietly = async <T>(run: () => Promise<T>): Promise<T> => {
  const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    return await run();
  } finally {
    log.mockRestore();
  }
};
const containerOf = (request: CreateCustomJobRequest) => request.customJob.jobSpec.workerPoolSpecs[0].containerSpec;
const onEmulator = itNeeds("bigquery-emulator");

onEmulator(
  "--dry-run: the CustomJob carries the day's row count, the batch run, the schema version and the bq:// URI",
  async () => {
    const result = await quietly(() =>
      trainCommand(onBigQuery("--on", "flights", "--partition", DAY, "--target", "vertex-custom-job", "--dry-run")),
    );
    const uri = `bq://${bq.emulator!.projectId}.${DATASET}.flights`;
    const filter = `DATE(\`date\`) = '${DAY}'`;
    expect(rowsOn[DAY]).toBeGreaterThan(1000);
    expect(result.lineage).toEqual({
      table: "flights",
      partition: DAY,
      rowCount: rowsOn[DAY],
      runId: summary.runId,
      runCount: 1,
      schema: "flights",
      schemaVersion: 1,
      data: { uri, format: "bigquery", filter },
      trigger: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
    const request = result.plan.request as CreateCustomJobRequest;
    expect(containerOf(request).env).toEqual([
      { name: "AIP_TRAINING_DATA_URI", value: uri },
      { name: "AIP_DATA_FORMAT", value: "bigquery" },
      { name: "ROX_TRAINING_DATA_FILTER", value: filter },
    ]);
    expect(containerOf(request).args).toEqual([
      "--table=flights",
      `--partition=${DAY}`,
      `--rows=${rowsOn[DAY]}`,
      `--run-id=${summary.runId}`,
      "--schema=flights",
      "--schema-version=1",
    ]);
    expect(request.customJob.labels).toMatchObject({
      rox_rows: String(rowsOn[DAY]),
      rox_schema_version: "1",
      rox_trigger: result.lineage.trigger,
    });
    expect(request.parent).toBe(`projects/${bq.emulator!.projectId}/locations/europe-west4`);
    expect(vertex.requests).toEqual([]);
  },
);

onEmulator("sent to the Vertex AI server: the exact CreateCustomJob with the BigQuery slice", async () => {
  const parent = `projects/${bq.emulator!.projectId}/locations/europe-west4`;
  handlers = {
    ListCustomJobs: () => ({ customJobs: [] }),
    CreateCustomJob: (r) => ({
      name: `${parent}/customJobs/41`,
      displayName: (r.customJob as { displayName: string }).displayName,
      state: "JOB_STATE_QUEUED",
    }),
  };
  const result = await quietly(() =>
    trainCommand(
      onBigQuery("--on", "flights", "--partition", DAY, "--target", "vertex-custom-job", "--endpoint", vertex.address),
    ),
  );
  expect(result.job).toMatchObject({ name: `${parent}/customJobs/41`, state: "JOB_STATE_QUEUED", reused: false });
  expect(vertex.requests.map((r) => r.method)).toEqual(["ListCustomJobs", "CreateCustomJob"]);
  expect(vertex.requests[0].request).toEqual({ parent, filter: `labels.rox_trigger="${result.lineage.trigger}"` });
  const sent = vertex.requests[1].request as unknown as CreateCustomJobRequest;
  expect(sent).toEqual(result.plan.request);
  expect(containerOf(sent).env).toContainEqual({
    name: "AIP_TRAINING_DATA_URI",
    value: `bq://${bq.emulator!.projectId}.${DATASET}.flights`,
  });
  expect(containerOf(sent).args).toEqual(
    expect.arrayContaining([`--rows=${rowsOn[DAY]}`, `--run-id=${summary.runId}`, "--schema-version=1"]),
  );
});

onEmulator("pipelines get the slice as parameters; the whole table counts every day", async () => {
  const pipeline = await quietly(() =>
    trainCommand(onBigQuery("--on", "flights", "--target", "vertex-pipeline", "--dry-run")),
  );
  const total = rowsOn[DAY] + rowsOn["2001-01-04"];
  expect(pipeline.lineage).toMatchObject({
    rowCount: total,
    runId: summary.runId,
    data: { uri: `bq://${bq.emulator!.projectId}.${DATASET}.flights`, format: "bigquery" },
  });
  expect((pipeline.plan.request as CreatePipelineJobRequest).pipelineJob.runtimeConfig.parameterValues).toMatchObject({
    rows: { numberValue: total },
    data_uri: { stringValue: `bq://${bq.emulator!.projectId}.${DATASET}.flights` },
    data_format: { stringValue: "bigquery" },
  });
  const kubeflow = await quietly(() =>
    trainCommand(onBigQuery("--on", "flights", "--partition", DAY, "--target", "kubeflow", "--dry-run")),
  );
  expect(
    (kubeflow.plan.request as { body: { runtime_config: { parameters: Record<string, unknown> } } }).body.runtime_config
      .parameters,
  ).toMatchObject({
    rows: rowsOn[DAY],
    run_id: summary.runId,
    data_filter: `DATE(\`date\`) = '${DAY}'`,
  });
});

onEmulator("a window table in BigQuery: its rows on the day, credited to the schema's latest run", async () => {
  const result = await quietly(() =>
    trainCommand(
      onBigQuery("--on", "flights_origin_hourly", "--partition", DAY, "--target", "vertex-custom-job", "--dry-run"),
    ),
  );
  expect(windowRowsOnDay).toBeGreaterThan(0);
  expect(result.lineage).toMatchObject({
    table: "flights_origin_hourly",
    rowCount: windowRowsOnDay,
    runId: summary.runId,
    data: { filter: `DATE(\`window_start\`) = '${DAY}'` },
  });
});

onEmulator("an empty day in BigQuery has nothing to train on", async () => {
  await expect(
    trainCommand(
      onBigQuery("--on", "flights", "--partition", "1999-12-31", "--target", "vertex-custom-job", "--dry-run"),
    ),
  ).rejects.toThrow(NoTrainingDataError);
});

test("--target local refuses BigQuery before opening it, naming the targets that read it", async () => {
  const attempt = trainCommand([
    "--on",
    "flights",
    "--target",
    "local",
    "--warehouse",
    "bigquery",
    "--project",
    "p",
    "--dataset",
    "d",
    "--bigquery-endpoint",
    "http://127.0.0.1:9",
  ]);
  await expect(attempt).rejects.toThrow(UsageError);
  await expect(attempt).rejects.toThrow(
    "--target local trains on the embedded DuckDB warehouse only; to train on BigQuery data use --target vertex-custom-job, vertex-pipeline or kubeflow",
  );
});

describe("plans over a BigQuery slice (golden)", () => {
  const facts: SliceFacts = {
    table: "flights",
    partition: "2001-01-03",
    schema: "flights",
    schemaVersion: 1,
    runs: [{ runId: "2001-01-04_02_00_00-1234567890", rows: 14_210, finishedAt: "" }],
    data: { uri: "bq://rox-prod.rox_events.flights", format: "bigquery", filter: "DATE(`date`) = '2001-01-03'" },
  };
  const lineage = lineageOf(facts, "20010104t020000-0a1b2c")!;
  const settings = readTrainSettings({
    project: "rox-prod",
    region: "europe-west4",
    train: {
      image: "europe-west4-docker.pkg.dev/rox-prod/trainers/delay-model:1.2.0",
      outputUri: "gs://rox-prod-models/train",
      pipelineTemplate: "gs://rox-prod-models/pipelines/delay-model.json",
      kubeflow: {
        endpoint: "https://kfp.example.internal",
        pipelineId: "3f9c-pipeline",
        pipelineVersionId: "77aa-version",
      },
    },
  });

  test("the run that landed the rows names the lineage; where the data is counts in its trigger", () => {
    expect(lineage).toMatchObject({ runId: "20010104t020000-0a1b2c", runCount: 1, rowCount: 14_210 });
    expect(
      lineageOf({ ...facts, data: { ...facts.data!, uri: "bq://rox-prod.other.flights" } }, lineage.runId)!.trigger,
    ).not.toBe(lineage.trigger);
    expect(lineageOf(facts)!.runId).toBe("2001-01-04_02_00_00-1234567890");
  });

  test("CustomJob, PipelineJob and Kubeflow run", () => {
    const plans = [
      planVertexCustomJob(lineage, settings),
      planVertexPipelineJob(lineage, settings),
      planKubeflowRun(lineage, settings),
    ];
    expectGoldenFile(path.join(__dirname, "golden-train", "bigquery-slice.json"), renderPlans(plans) + "\n");
  });
});
