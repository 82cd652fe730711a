/**
 * `rox monitor` and `rox report` with `--warehouse bigquery` against the BigQuery emulator, beside the embedded
 * warehouse: the same real flights (and two broken records) land in DuckDB and in BigQuery by the batch job, one
 * trained model is the champion in both registries, the day is scored in both; monitoring the day (and an hour of it)
 * gives the same rows on both warehouses — every metric kind, values equal within 1e-9, the same thresholds, alerts
 * and counts — stored as computed, and a rerun on BigQuery replaces the scope's rows (nothing added). The report reads
 * the same runs, dead letters, drift and predictions from both.
 */
import * as fs from "fs";
import * as path from "path";
import { modelsCommand } from "../../launcher/commands/models";
import { monitorCommand } from "../../launcher/commands/monitor";
import { scoreCommand } from "../../launcher/commands/score";
import { trainCommand } from "../../launcher/commands/train";
import type { MonitorResult } from "../../launcher/monitor/monitor-day";
import { runBatchJob } from "../../pipelines/batch-job";
import { writeFlightSample } from "../../tools/sample/flights";
import { METRICS, type MetricRow } from "../../transforms/monitor/metric-row";
import { quietly } from "../serve/fixture";
import { reportCommand } from "../../launcher/commands/report";
import type { ReportResult } from "../../launcher/report/write-report";
import { readBigQueryReportData } from "../../io/gcp/bigquery/bigquery-report";
import { readReportData } from "../../io/local/duckdb-report";
import { loadContract } from "../../schemas/load";
import { loadModelSpec } from "../../schemas/model-spec";
import type { ReportData } from "../../transforms/report/report-data";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { captureConsole } from "../support/console-capture";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { trainConfig, withDuckDb } from "../models/fixture";

const DATASET = "rox_monitor";
const DAY = "2001-01-11";
const LIMIT = 600;

describeNeeds("ml-python", "bigquery-emulator")("rox monitor on BigQuery (the emulator) and on DuckDB", () => {
  const bq = useBigQueryEmulator();
  const work = tempDir("monitor-bq");
  const duckdb = path.join(work.dir, "warehouse.duckdb");
  const store = path.join(work.dir, "models");
  let hour: string;
  captureConsole();

  beforeAll(async () => {
    const input = path.join(work.dir, "events");
    for (const [from, to] of [
      ["2001-01-09", "2001-01-10"],
      ["2001-01-10", "2001-01-11"],
      [DAY, "2001-01-12"],
    ])
      await writeFlightSample({ outDir: input, format: "jsonl", by: "day", from, to, limit: LIMIT });
    // two bad records beside the flights: the run dead-letters them, and the day's dead-letter rates count them
    fs.writeFileSync(path.join(input, "faults.jsonl"), '{"id": "broken\n{"id": "x", "distance": "far"}\n');
    await withDuckDb(duckdb, (w) => runBatchJob({ input, schema: "flights", workDir: work.dir }, w));
    // the day's busiest hour: the window monitored
    const [busiest] = await inDuckDb(
      `SELECT floor(epoch(date) / 3600) AS h, count(*) AS n FROM flights WHERE date >= '${DAY}T00:00:00Z'::TIMESTAMPTZ
      AND date < '${DAY}T00:00:00Z'::TIMESTAMPTZ + INTERVAL 1 DAY GROUP BY h ORDER BY n DESC, h LIMIT 1`,
    );
    hour = new Date(Number(busiest.h) * 3_600_000).toISOString();
    await inEmulatorDataset(bq.emulator!, DATASET, (w) =>
      runBatchJob({ input, schema: "flights", workDir: work.dir }, w),
    );
    await quietly(async () => {
      const trained = await trainCommand([
        ...["--model", "flights-delay", "--warehouse", duckdb, "--config", trainConfig(work.dir)],
      ]);
      const from = trained.local!.modelDir;
      for (const where of [["--warehouse", duckdb], bigquery()]) {
        await modelsCommand(["register", "--from", from, "--alias", "champion", "--store", store, ...where]);
        await scoreCommand([
          ...["--model", "flights-delay@champion", "--on", "flights", "--partition", DAY, "--store", store],
          ...where,
        ]);
      }
    });
  }, 900_000);
  afterAll(() => work.cleanup());

  const bigquery = () => [
    ...["--warehouse", "bigquery", "--project", bq.emulator!.projectId, "--dataset", DATASET],
    ...["--bigquery-endpoint", bq.emulator!.apiEndpoint],
  ];
  const monitor = (scope: string[], where: string[]) =>
    monitorCommand([
      ...["--model", "flights-delay@champion", "--on", "flights", ...scope, "--store", store, ...where],
    ]) as Promise<MonitorResult>;
  const inBigQuery = (sql: string) => inEmulatorDataset(bq.emulator!, DATASET, (w) => w.query(sql));
  const inDuckDb = (sql: string) => withDuckDb(duckdb, (w) => w.query(sql));
  const STORED = "SELECT feature, metric, value, threshold, alert, severity, `rows`, run_id FROM monitoring";

  /** The rows by feature and metric, each value within 1e-9 of the other's, everything else equal. */
  function expectSameRows(actual: readonly MetricRow[], expected: readonly MetricRow[]): void {
    const key = (r: Pick<MetricRow, "feature" | "metric">) => `${r.feature ?? ""} ${r.metric}`;
    const byKey = new Map(expected.map((r) => [key(r), r]));
    expect(actual.map(key).sort()).toEqual([...byKey.keys()].sort());
    for (const row of actual) {
      const { value, ...rest } = byKey.get(key(row))!;
      expect({ ...row, value: Math.abs(row.value - value) <= 1e-9 || [row.value, value] }).toEqual({
        ...rest,
        value: true,
      });
    }
  }

  /** Stored rows of one run as the metric rows they hold. */
  const asMetricRows = (rows: Record<string, unknown>[], runId: string) =>
    rows
      .filter((r) => r.run_id === runId)
      .map((r) => ({
        feature: r.feature === null ? null : String(r.feature),
        metric: r.metric,
        value: Number(r.value),
        threshold: Number(r.threshold),
        alert: Boolean(r.alert),
        severity: r.severity ?? null,
        rows: Number(r.rows),
      }));
  const withoutErrorThreshold = (rows: readonly MetricRow[]) =>
    rows.map(({ errorThreshold: _e, ...r }) => r) as unknown as MetricRow[];

  test("the scored day: the same rows on both warehouses, every metric kind, stored as computed", async () => {
    const local = await monitor(["--partition", DAY], ["--warehouse", duckdb]);
    const cloud = await monitor(["--partition", DAY], bigquery());
    expect(new Set(cloud.rows.map((r) => r.metric))).toEqual(new Set(METRICS));
    expect(cloud.rows.some((r) => r.feature === "prediction")).toBe(true);
    expect(cloud.rows.filter((r) => r.metric === "quality.dead_letter_rate")).toHaveLength(2);
    expectSameRows(cloud.rows, local.rows);
    expect(cloud.replaced).toBe(0);
    expectSameRows(
      asMetricRows(await inBigQuery(STORED), cloud.runId) as MetricRow[],
      withoutErrorThreshold(cloud.rows),
    );
    expectSameRows(
      asMetricRows(await inDuckDb(STORED.replace("`rows`", '"rows"')), local.runId) as MetricRow[],
      withoutErrorThreshold(local.rows),
    );
  }, 300_000);

  test("an hourly window: the same rows on both warehouses", async () => {
    const local = await monitor(["--window", hour], ["--warehouse", duckdb]);
    const cloud = await monitor(["--window", hour], bigquery());
    expect(cloud.scope).toMatchObject({ scope: "window", start: new Date(hour).toISOString() });
    expect(cloud.rows.some((r) => r.metric === "quality.volume_change")).toBe(true);
    expectSameRows(cloud.rows, local.rows);
  }, 300_000);

  test("a rerun on BigQuery replaces the day's rows: nothing added, one run's rows", async () => {
    const count = async () =>
      inBigQuery("SELECT scope, COUNT(*) AS n, COUNT(DISTINCT run_id) AS runs FROM monitoring GROUP BY scope");
    const before = await count();
    const again = await monitor(["--partition", DAY], bigquery());
    expect(again.replaced).toBe(again.rows.length);
    const after = await count();
    expect(after.sort((a, b) => String(a.scope).localeCompare(String(b.scope)))).toEqual(
      before.sort((a, b) => String(a.scope).localeCompare(String(b.scope))),
    );
    const dayRuns = await inBigQuery("SELECT DISTINCT run_id FROM monitoring WHERE scope = 'day'");
    expect(dayRuns).toEqual([{ run_id: again.runId }]);
  }, 300_000);

  test("rox report on BigQuery: the runs, dead letters, drift and predictions of DuckDB; every chart", async () => {
    const contract = loadContract("flights");
    const { target } = loadModelSpec("flights-delay");
    const local = await withDuckDb(duckdb, (w) => readReportData(w, contract, target));
    const cloud = await readBigQueryReportData(
      { projectId: bq.emulator!.projectId, dataset: DATASET, apiEndpoint: bq.emulator!.apiEndpoint },
      contract,
      target,
    );
    const runs = (data: ReportData) =>
      data.runs.map(({ runId: _id, startedAt: _at, ...r }) => JSON.stringify(r)).sort();
    expect(cloud.runs.map((r) => r.job).sort()).toEqual(["batch", "rox-score-flights-delay"]);
    expect(runs(cloud)).toEqual(runs(local));
    for (const run of cloud.runs) expect(run.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(cloud.deadLetters.length).toBeGreaterThan(0);
    expect(cloud.deadLetters).toEqual(local.deadLetters);
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9;
    expect(cloud.drift.map((d) => `${d.day} ${d.feature} ${d.metric}`)).toEqual(
      local.drift.map((d) => `${d.day} ${d.feature} ${d.metric}`),
    );
    cloud.drift.forEach((d, i) => {
      const { value, ...rest } = local.drift[i];
      expect({ ...d, value: close(d.value, value) }).toEqual({ ...rest, value: true });
    });
    expect(cloud.predictions).toHaveLength(1);
    const [p, q] = [cloud.predictions[0], local.predictions[0]];
    expect({ ...p, predicted: close(p.predicted, q.predicted), actual: close(p.actual, q.actual) }).toEqual({
      ...q,
      predicted: true,
      actual: true,
    });

    const out = path.join(work.dir, "report.html");
    const result = (await reportCommand(["--out", out, "--model", "flights-delay", ...bigquery()])) as ReportResult;
    expect(result.charts.every((c) => c.rendered)).toBe(true);
    const html = fs.readFileSync(out, "utf8");
    expect(html.match(/<svg\b/g)).toHaveLength(result.charts.length);
    expect(html).toContain(`BigQuery ${bq.emulator!.projectId}.${DATASET}`);
  }, 300_000);
});
