/**
 * `rox stream --runner dataflow --score name@alias`: the alias resolved once at launch in the registry of the job's
 * BigQuery dataset (the BigQuery emulator, the model's files in fake-gcs-server), and the version it names pinned in
 * the stream template's parameters (`--dry-run` prints the job request). A model in a local store is refused: the
 * workers could not read it.
 */
import * as path from "path";
import { modelsCommand } from "../../launcher/commands/models";
import { streamCommand } from "../../launcher/commands/stream";
import { trainCommand } from "../../launcher/commands/train";
import { pinStreamModel } from "../../launcher/models/stream-model";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { stopGcsSync } from "../../io/gcp/gcs/gcs-sync";
import { runBatchJob } from "../../pipelines/batch-job";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { captureConsole } from "../support/console-capture";
import { startTestGcsEmulator, type TestGcsEmulator } from "../support/gcs-emulator";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { flightsWarehouse, trainConfig } from "../models/fixture";
import { quietly } from "../serve/fixture";

const DATASET = "rox_stream_scored";
const STORE = "gs://rox-models/models";

describeNeeds(
  "ml-python",
  "bigquery-emulator",
  "gcs-emulator",
)("rox stream --runner dataflow --score (emulators)", () => {
  const bq = useBigQueryEmulator();
  const captured = captureConsole();
  let gcs: TestGcsEmulator;
  let work: ReturnType<typeof tempDir>;
  let duckdb: string;
  let localModel: string;

  beforeAll(async () => {
    work = tempDir("stream-score-launch");
    gcs = (await startTestGcsEmulator())!;
    const storage = await createStorageClient({ apiEndpoint: gcs.endpoint, projectId: "test" });
    await storage.createBucket("rox-models");
    duckdb = await flightsWarehouse(work.dir, ["2001-01-08"], 1500);
    await inEmulatorDataset(bq.emulator!, DATASET, (w) =>
      runBatchJob({ input: path.join(work.dir, "events"), schema: "flights", workDir: work.dir }, w),
    );
    await quietly(async () => {
      const trained = await trainCommand([
        "--model",
        "flights-delay",
        "--warehouse",
        duckdb,
        "--config",
        trainConfig(work.dir),
      ]);
      localModel = trained.local!.modelDir;
      await modelsCommand(["register", "--from", localModel, "--alias", "champion", ...registry()]);
      await modelsCommand([
        "register",
        "--from",
        localModel,
        "--warehouse",
        duckdb,
        "--store",
        path.join(work.dir, "m"),
      ]);
    });
  }, 900_000);
  afterAll(async () => {
    await stopGcsSync();
    await gcs?.stop();
    work?.cleanup();
  });

  const registry = () => [
    ...["--warehouse", "bigquery", "--project", bq.emulator!.projectId, "--dataset", DATASET],
    ...["--bigquery-endpoint", bq.emulator!.apiEndpoint, "--store", STORE, "--storage-endpoint", gcs.endpoint],
  ];

  test("--dry-run: the stream template's parameters name the version the alias names now", async () => {
    await streamCommand([
      ...["--runner", "dataflow", "--subscription", "flights-stream", "--schema", "flights"],
      ...["--project", bq.emulator!.projectId, "--dataset", DATASET, "--region", "europe-west1"],
      ...["--temp-location", "gs://rox-tmp/t"],
      ...["--score", "flights-delay@champion", "--store", STORE, "--bigquery-endpoint", bq.emulator!.apiEndpoint],
      "--dry-run",
    ]);
    const plan = JSON.parse(captured.out.join("\n")) as {
      parameters: Record<string, string>;
      bigQuery: { mustNotBeTables: string[]; statements: string[] };
    };
    expect(plan.parameters).toMatchObject({
      subscription: `projects/${bq.emulator!.projectId}/subscriptions/flights-stream`,
      schema: "flights",
      dataset: DATASET,
      model: "flights-delay",
      modelVersion: "1",
      modelUri: `${STORE}/flights-delay/v1`,
    });
    // The prepare it would run: the predictions appended, `flights_predictions` their first-copy view (not a table).
    const dataset = `${bq.emulator!.projectId}.${DATASET}`;
    expect(plan.bigQuery.mustNotBeTables).toContain("flights_predictions");
    expect(plan.bigQuery.statements.slice(-2).map((sql) => sql.split(" (")[0].split(" AS ")[0])).toEqual([
      `CREATE TABLE IF NOT EXISTS \`${dataset}.flights_predictions__appended\``,
      `CREATE OR REPLACE VIEW \`${dataset}.flights_predictions\``,
    ]);
  }, 120_000);

  test("a model in a local store is refused (exit 2): Dataflow's workers could not read it", async () => {
    const pin = pinStreamModel({
      ref: { name: "flights-delay", version: 1 },
      schema: "flights",
      target: { kind: "duckdb", file: duckdb },
      store: path.join(work.dir, "m"),
    });
    await expect(pin).rejects.toMatchObject({ kind: "usage", message: expect.stringMatching(/is local$/) });
  });

  test("--bigquery-endpoint without --score still does not apply to --runner dataflow", async () => {
    const argv = [
      ...["--runner", "dataflow", "--subscription", "s", "--schema", "flights", "--project", "p", "--dataset", "d"],
      ...["--bigquery-endpoint", "http://127.0.0.1:1", "--dry-run"],
    ];
    const message = "--bigquery-endpoint does not apply to --runner dataflow (it reaches Google Cloud itself)";
    await expect(streamCommand(argv)).rejects.toMatchObject({ kind: "usage", message });
  });
});
