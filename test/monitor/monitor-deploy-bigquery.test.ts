/**
 * `rox monitor deploy`'s training table on the BigQuery emulator: real flights landed by the batch job, the planned
 * query job run by the real client, and the table Vertex AI would read holding exactly the card's training rows
 * (counted independently by plain SQL over the events) with the model's features as its columns.
 */
import * as path from "path";
import { monitorCommand } from "../../launcher/commands/monitor";
import { modelsCommand } from "../../launcher/commands/models";
import { writeFlightSample } from "../../tools/sample/flights";
import { runBatchJob } from "../../pipelines/batch-job";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { captureConsole } from "../support/console-capture";
import { startWireServer, type WireServer } from "../support/grpc-wire-server";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { flightsDelayCard, writeModelFolder } from "./card-fixture";

const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/aiplatform/package.json")), "build", "protos");
const V1 = "google.cloud.aiplatform.v1";
const DATASET = "rox_events";
const card = flightsDelayCard();

describeNeeds("bigquery-emulator")("the training table on BigQuery (the emulator)", () => {
  const bq = useBigQueryEmulator();
  const work = tempDir("monitor-deploy-bq");
  let vertex: WireServer;
  beforeAll(async () => {
    const input = path.join(work.dir, "events");
    await writeFlightSample({
      outDir: input,
      format: "jsonl",
      by: "day",
      from: "2001-01-08",
      to: "2001-01-10",
      limit: 300,
    });
    await inEmulatorDataset(bq.emulator!, DATASET, (w) =>
      runBatchJob({ input, schema: "flights", workDir: work.dir }, w),
    );
    const folder = writeModelFolder(path.join(work.dir, "trained"), card);
    await modelsCommand(["register", "--from", folder, "--alias", "champion", ...registry()]);
    const endpoint = "projects/p/locations/europe-west4/endpoints/e-1";
    vertex = await startWireServer({
      protoRoot,
      protoFile: "google/cloud/aiplatform/v1/endpoint_service.proto",
      service: `${V1}.EndpointService`,
      moreServices: [{ protoFile: "google/cloud/aiplatform/v1/job_service.proto", service: `${V1}.JobService` }],
      handlers: {
        GetEndpoint: () => ({
          name: endpoint,
          deployedModels: [{ id: "1", model: "projects/p/models/flights-delay" }],
        }),
        CreateModelDeploymentMonitoringJob: () => ({ name: "projects/p/locations/europe-west4/jobs/9" }),
      },
    });
  }, 300_000);
  afterAll(async () => {
    await vertex?.stop();
    work.cleanup();
  });
  captureConsole();

  const registry = () => ["--warehouse", path.join(work.dir, "w.duckdb"), "--store", path.join(work.dir, "models")];

  test("holds the card's training rows, features only", async () => {
    const emulator = bq.emulator!;
    await monitorCommand([
      ...[
        "deploy",
        "--model",
        "flights-delay@champion",
        "--endpoint",
        "e-1",
        "--project",
        "p",
        "--region",
        "europe-west4",
      ],
      ...["--training-dataset", `${emulator.projectId}.${DATASET}`, "--bigquery-endpoint", emulator.apiEndpoint],
      ...["--api-endpoint", vertex.address, ...registry()],
    ]);
    const { from, to } = card.split.train;
    await inEmulatorDataset(emulator, DATASET, async (w) => {
      const [expected] = await w.query(
        `SELECT COUNT(*) AS n FROM flights WHERE date >= TIMESTAMP('${from}') AND date <= TIMESTAMP('${to}')`,
      );
      const rows = await w.query("SELECT * FROM rox_training_flights_delay_v1");
      expect(Number(expected.n)).toBeGreaterThan(100);
      expect(rows).toHaveLength(Number(expected.n));
      expect(Object.keys(rows[0]).sort()).toEqual(card.features.map((f) => f.name).sort());
    });
  });
});
