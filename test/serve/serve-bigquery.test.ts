/**
 * `rox serve --warehouse bigquery` against the BigQuery emulator: the same real flights land in BigQuery (the batch
 * job) and in DuckDB; a model trained on the DuckDB copy is registered in BigQuery's `models` table as champion; the
 * server resolves it there and reads the origin's window rows from BigQuery. Its predictions equal the DuckDB batch
 * path's for the same events.
 */
import * as fs from "fs";
import * as path from "path";
import { modelsCommand } from "../../launcher/commands/models";
import { trainCommand } from "../../launcher/commands/train";
import { startServer, type RunningServer } from "../../launcher/serve/run";
import { bigQueryWarehouseFlags, landInEmulator, useBigQueryEmulator } from "../support/bigquery-emulator";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { flightsWarehouse, trainConfig } from "../models/fixture";
import { batchPredictions, postJson, quietly, type Served } from "./fixture";

const DATASET = "rox_serve";
const DAYS = ["2001-01-08", "2001-01-09"];

describeNeeds("ml-python", "bigquery-emulator")("rox serve on BigQuery (the emulator)", () => {
  const bq = useBigQueryEmulator();
  let work: ReturnType<typeof tempDir>;
  let served: Served;
  let server: RunningServer | undefined;
  beforeAll(async () => {
    work = tempDir("serve-bq");
    if (!bq.emulator) return;
    const warehouse = await flightsWarehouse(work.dir, DAYS, 1500);
    const input = path.join(work.dir, "events");
    await landInEmulator(bq.emulator, DATASET, input, work.dir);
    const store = path.join(work.dir, "models");
    const where = [...bigQueryWarehouseFlags(bq.emulator, DATASET), "--store", store];
    await quietly(async () => {
      const trained = await trainCommand([
        "--model",
        "flights-delay",
        "--warehouse",
        warehouse,
        "--config",
        trainConfig(work.dir),
      ]);
      await modelsCommand(["register", "--from", trained.local!.modelDir, "--alias", "champion", ...where]);
      // The same version in the DuckDB registry, for the batch path's predictions.
      await modelsCommand(["register", "--from", trained.local!.modelDir, "--warehouse", warehouse, "--store", store]);
    });
    const lines = DAYS.map((d) => path.join(input, `flights-${d}.jsonl`));
    served = { dir: work.dir, warehouse, store, events: lines.flatMap(readEvents) };
  }, 900_000);
  afterAll(async () => {
    await server?.close();
    work?.cleanup();
  });

  test("the champion and the window rows from BigQuery; predictions equal the batch path's", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    server = await startServer({
      ref: { name: "flights-delay", alias: "champion" },
      store: served.store,
      host: "127.0.0.1",
      port: 0,
      target: {
        kind: "bigquery",
        projectId: bq.emulator.projectId,
        dataset: DATASET,
        apiEndpoint: bq.emulator.apiEndpoint,
      },
      predictRoute: "/predict",
      healthRoute: "/health",
      maxBodyBytes: 1_000_000,
      maxInstances: 100,
      cacheTtlSeconds: 30,
      reloadEverySeconds: 0,
      log: () => undefined,
    });
    await server.slot.refresh();
    const picks = [300, 900, 1400, 2000, 2900].map((i) => served.events[i]);
    const answer = await postJson(`${server.url}/predict`, { instances: picks });
    expect(answer.status).toBe(200);
    expect(answer.body.modelVersionId).toBe("1");
    expect(server.windows.queries).toBeGreaterThan(0);
    const expected = await batchPredictions(
      served,
      1,
      picks.map((e) => String(e.event_id)),
    );
    expect(answer.body.predictions).toStrictEqual(picks.map((e) => expected.get(String(e.event_id))));
  }, 120_000);
});

function readEvents(file: string): Record<string, unknown>[] {
  const text = fs.readFileSync(file, "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
