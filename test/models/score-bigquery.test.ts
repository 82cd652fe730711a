/**
 * `rox score --warehouse bigquery` against the BigQuery emulator: the same real flights land in BigQuery (the batch
 * job) and in DuckDB; one trained model is registered in both registries; the Beam scoring job reads the day's feature
 * rows from BigQuery and commits there one prediction per event, equal to the DuckDB path's; a rerun adds nothing,
 * `--replace` rewrites the day, and `job_runs` records each run.
 */
import * as path from "path";
import { modelsCommand } from "../../launcher/commands/models";
import { scoreCommand } from "../../launcher/commands/score";
import { trainCommand } from "../../launcher/commands/train";
import { runBatchJob } from "../../pipelines/batch-job";
import type { JobSummary } from "../../transforms/summary";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { quietly } from "../serve/fixture";
import { flightsWarehouse, trainConfig, withDuckDb } from "./fixture";

const DATASET = "rox_score";
const DAYS = ["2001-01-08", "2001-01-09"];
const DAY = DAYS[1];

describeNeeds("ml-python", "bigquery-emulator")("rox score on BigQuery (the emulator)", () => {
  const bq = useBigQueryEmulator();
  let work: ReturnType<typeof tempDir>;
  let duckdb: string;
  let store: string;
  let duckdbPredictions: Map<string, number>;
  beforeAll(async () => {
    work = tempDir("score-bq");
    if (!bq.emulator) return;
    duckdb = await flightsWarehouse(work.dir, DAYS, 1500);
    await inEmulatorDataset(bq.emulator, DATASET, (w) =>
      runBatchJob({ input: path.join(work.dir, "events"), schema: "flights", workDir: work.dir }, w),
    );
    store = path.join(work.dir, "models");
    await quietly(async () => {
      const trained = await trainCommand([
        "--model",
        "flights-delay",
        "--warehouse",
        duckdb,
        "--config",
        trainConfig(work.dir),
      ]);
      const from = trained.local!.modelDir;
      await modelsCommand(["register", "--from", from, "--alias", "champion", "--store", store, ...where()]);
      await modelsCommand(["register", "--from", from, "--alias", "champion", "--store", store, "--warehouse", duckdb]);
      await score("--warehouse", duckdb);
    });
    const rows = await withDuckDb(duckdb, (w) => w.query("SELECT event_id, prediction FROM flights_predictions"));
    duckdbPredictions = new Map(rows.map((r) => [String(r.event_id), Number(r.prediction)]));
  }, 900_000);
  afterAll(() => work?.cleanup());

  const where = () => [
    "--warehouse",
    "bigquery",
    "--project",
    bq.emulator!.projectId,
    "--dataset",
    DATASET,
    "--bigquery-endpoint",
    bq.emulator!.apiEndpoint,
  ];
  const score = (...args: string[]) =>
    quietly(() =>
      scoreCommand([
        "--model",
        "flights-delay@champion",
        "--on",
        "flights",
        "--partition",
        DAY,
        "--store",
        store,
        ...args,
      ]),
    ) as Promise<JobSummary>;
  const query = (sql: string) => inEmulatorDataset(bq.emulator!, DATASET, (w) => w.query(sql));
  const predictions = async () =>
    query("SELECT event_id, prediction, score_run_id, model, model_version FROM flights_predictions");
  const jobRun = async (runId: string) =>
    (await query("SELECT runId, status, `read`, written, duplicates FROM job_runs")).filter((r) => r.runId === runId);

  test("one prediction per event of the day, equal to DuckDB's; read = written + dead + duplicates", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    const [{ n }] = await query(
      `SELECT COUNT(*) AS n FROM flights WHERE FORMAT_DATE('%Y-%m-%d', DATE(\`date\`)) = '${DAY}'`,
    );
    const events = Number(n);
    expect(events).toBeGreaterThan(1000);
    expect(duckdbPredictions.size).toBe(events);

    const summary = await score(...where());
    expect(summary).toMatchObject({ read: events, written: events, deadLettered: 0, duplicates: 0 });
    expect(summary.read).toBe(summary.written + summary.deadLettered + summary.duplicates);
    const rows = await predictions();
    expect(rows).toHaveLength(events);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(events);
    for (const row of rows) {
      expect(row).toMatchObject({ model: "flights-delay", model_version: 1, score_run_id: summary.runId });
      const expected = duckdbPredictions.get(String(row.event_id));
      expect(expected).toBeDefined();
      expect(Math.abs(Number(row.prediction) - expected!)).toBeLessThanOrEqual(1e-9);
    }
    expect(await jobRun(summary.runId)).toEqual([
      { runId: summary.runId, status: "finished", read: events, written: events, duplicates: 0 },
    ]);
  }, 300_000);

  test("a rerun adds nothing (counted as already scored); --replace rewrites the day", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    const before = await predictions();
    const events = before.length;
    const rerun = await score(...where());
    expect(rerun).toMatchObject({ read: events, written: 0, deadLettered: 0, duplicates: events });
    expect(rerun.byReason).toEqual({ "duplicate/already_scored": events });
    expect(await predictions()).toHaveLength(events);
    expect(await jobRun(rerun.runId)).toMatchObject([{ status: "finished", written: 0, duplicates: events }]);

    const replaced = await score(...where(), "--replace");
    expect(replaced).toMatchObject({ read: events, written: events, duplicates: 0 });
    const after = await predictions();
    expect(after).toHaveLength(events);
    expect(new Set(after.map((r) => r.score_run_id))).toEqual(new Set([replaced.runId]));
    const byId = new Map(before.map((r) => [r.event_id, r.prediction]));
    for (const row of after) expect(row.prediction).toBe(byId.get(row.event_id));
    expect(await jobRun(replaced.runId)).toMatchObject([{ status: "finished", written: events }]);
  }, 300_000);
});
