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
import { BigQueryJobs } from "../../io/gcp/bigquery/bigquery-client";
import type { JobSummary } from "../../transforms/summary";
import {
  bigQueryWarehouseFlags,
  inEmulatorDataset,
  landInEmulator,
  useBigQueryEmulator,
} from "../support/bigquery-emulator";
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
    await landInEmulator(bq.emulator, DATASET, path.join(work.dir, "events"), work.dir);
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

  const where = () => bigQueryWarehouseFlags(bq.emulator!, DATASET);
  const scoreDay = (day: string, ...args: string[]) =>
    quietly(() =>
      scoreCommand([
        "--model",
        "flights-delay@champion",
        "--on",
        "flights",
        "--partition",
        day,
        "--store",
        store,
        ...args,
      ]),
    ) as Promise<JobSummary>;
  const score = (...args: string[]) => scoreDay(DAY, ...args);
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

  test("a row missing a feature: a dead letter with its reason; a rerun adds no dead letter twice", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    const day = DAYS[0];
    const jobs = await BigQueryJobs.connect({
      projectId: bq.emulator.projectId,
      dataset: DATASET,
      apiEndpoint: bq.emulator.apiEndpoint,
    });
    const flights = `\`${bq.emulator.projectId}.${DATASET}.flights\``;
    const ofDay = `FORMAT_DATE('%Y-%m-%d', DATE(\`date\`)) = @day`;
    const [{ n }] = await jobs.run(`SELECT COUNT(*) AS n FROM ${flights} WHERE ${ofDay}`, "count", { params: { day } });
    const ids = (
      await jobs.run(`SELECT event_id FROM ${flights} WHERE ${ofDay} ORDER BY event_id LIMIT 2`, "pick", {
        params: { day },
      })
    ).map((r) => String(r.event_id));
    await jobs.run(`UPDATE ${flights} SET hour_of_day = NULL WHERE event_id IN UNNEST(@ids)`, "null a feature", {
      params: { ids },
    });
    const events = Number(n);

    const summary = await scoreDay(day, ...where());
    expect(summary).toMatchObject({ read: events, written: events - 2, deadLettered: 2, duplicates: 0 });
    expect(summary.byReason).toEqual({ "score/feature.missing": 2 });
    expect(summary.byTable.dead_letters).toBe(2);
    const dead = async () =>
      (
        await query(
          "SELECT sourceUri, errorStage, errorClass, messageId, payloadString, payloadBytes FROM dead_letters",
        )
      ).filter((r) => r.errorStage === "score");
    const stored = (await dead()).sort((a, b) => String(a.sourceUri).localeCompare(String(b.sourceUri)));
    // The feature row as text (valid UTF-8: no raw bytes kept).
    expect(stored.map((r) => JSON.parse(String(r.payloadString)).event_id)).toEqual(ids);
    expect(stored.map(({ payloadString: _text, ...r }) => r)).toEqual(
      ids.map((id) => ({
        sourceUri: `flights/${id}`,
        errorStage: "score",
        errorClass: "feature.missing",
        messageId: "flights-delay@1",
        payloadBytes: null,
      })),
    );
    const rerun = await scoreDay(day, ...where());
    expect(rerun).toMatchObject({ read: events, written: 0, deadLettered: 2, duplicates: events - 2 });
    expect(rerun.byTable.dead_letters).toBe(0);
    expect(await dead()).toHaveLength(2);
  }, 300_000);
});
