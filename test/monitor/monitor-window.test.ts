/**
 * `rox monitor --window` and `monitorWindow` on real flights: one hourly window of a later day against a model trained
 * on three earlier days. The window's rows are checked against plain SQL over the warehouse (the distance's
 * Jensen–Shannon divergence on the card's edges, the window's row count, its volume against the same hour of the
 * trailing days); the day's rows stay beside them, and a rerun through the library adds nothing.
 */
import * as path from "path";
import { monitorCommand } from "../../launcher/commands/monitor";
import { commands } from "../../launcher/main";
import { exitCodeOf, MonitoringAlertError } from "../../launcher/errors";
import { PipelineStepFailedError } from "../../launcher/pipeline/local-run";
import { modelsCommand } from "../../launcher/commands/models";
import { scoreCommand } from "../../launcher/commands/score";
import { trainCommand } from "../../launcher/commands/train";
import { openRegistry } from "../../launcher/models/open-registry";
import { monitorWindow, type MonitorResult } from "../../launcher/monitor/monitor-day";
import type { TrainResult } from "../../launcher/train/train-run";
import { runBatchJob } from "../../pipelines/batch-job";
import { writeFlightSample } from "../../tools/sample/flights";
import type { ModelCard } from "../../transforms/score/model-card";
import { captureConsole } from "../support/console-capture";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { flightsWarehouse, trainConfig, withDuckDb } from "../models/fixture";

const DAY = "2001-01-12";

describeNeeds("ml-python")("rox monitor over one hourly window of real flights", () => {
  let work: ReturnType<typeof tempDir>;
  let warehouse: string;
  let store: string;
  let card: ModelCard;
  /** The day's busiest hour (the sample is the day's first flights), and the next. */
  let HOUR: string;
  let NEXT: string;
  captureConsole();
  const flags = () => ["--warehouse", warehouse, "--store", store];
  const monitor = (...scope: string[]) =>
    monitorCommand(["--model", "flights-delay@champion", "--on", "flights", ...scope, ...flags()]);
  const monitoring = (where: string) =>
    withDuckDb(warehouse, (w) => w.query(`SELECT * FROM monitoring WHERE ${where} ORDER BY feature, metric`));

  beforeAll(async () => {
    work = tempDir("monitor-window");
    store = path.join(work.dir, "models");
    warehouse = await flightsWarehouse(work.dir, ["2001-01-09", "2001-01-10", "2001-01-11"], 3000);
    const config = trainConfig(work.dir);
    const train = ["--model", "flights-delay", "--warehouse", warehouse, "--config", config];
    const trained = (await trainCommand(train)) as TrainResult;
    await modelsCommand(["register", "--from", trained.local!.modelDir, ...flags()]);
    await modelsCommand(["promote", "flights-delay@1", ...flags()]);
    card = (await import(path.join(trained.local!.modelDir, "card.json"))) as ModelCard;
    const input = path.join(work.dir, "later");
    await writeFlightSample({ outDir: input, format: "jsonl", by: "day", from: DAY, to: "2001-01-13", limit: 3000 });
    await withDuckDb(warehouse, (w) => runBatchJob({ input, schema: "flights", workDir: work.dir }, w));
    await scoreCommand(["--model", "flights-delay@champion", "--on", "flights", "--partition", DAY, ...flags()]);
    const [busiest] = await withDuckDb(warehouse, (w) =>
      w.query(
        `SELECT epoch_ms(date_trunc('hour', date)) AS h FROM flights WHERE strftime(date, '%Y-%m-%d') = $1
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
        [DAY],
      ),
    );
    HOUR = new Date(Number(busiest.h)).toISOString();
    NEXT = new Date(Number(busiest.h) + 3_600_000).toISOString();
  }, 900_000);
  afterAll(() => work?.cleanup());

  test("the window's rows equal plain SQL over the hour; the day's rows stay beside them", async () => {
    await monitor("--partition", DAY);
    const result = (await monitor("--window", HOUR.replace(".000Z", "Z"))) as MonitorResult;
    expect(result.scope).toMatchObject({ scope: "window", start: HOUR, end: NEXT, version: 1 });
    const edges = (card.baseline.features.distance as { edges: number[] }).edges;
    const baseline = (card.baseline.features.distance as { counts: number[] }).counts;
    const [sql] = await withDuckDb(warehouse, (w) =>
      w.query(
        `WITH win AS (SELECT * FROM flights WHERE date >= $3::TIMESTAMPTZ AND date < $4::TIMESTAMPTZ),
         b AS (SELECT len(list_filter(list_slice($1::DOUBLE[], 2, len($1::DOUBLE[]) - 1), e -> e <= distance)) AS bin
               FROM win WHERE distance IS NOT NULL),
         q AS (SELECT bin, count(*) / (SELECT count(*) FROM b) AS q FROM b GROUP BY bin),
         p AS (SELECT generate_subscripts($2::DOUBLE[], 1) - 1 AS bin,
                      unnest($2::DOUBLE[]) / list_sum($2::DOUBLE[]) AS p),
         h AS (SELECT coalesce(p.p, 0) AS p, coalesce(q.q, 0) AS q FROM p FULL JOIN q USING (bin)),
         prior AS (SELECT count(*) AS n FROM flights WHERE date < $3::TIMESTAMPTZ AND hour(date) = hour($3::TIMESTAMPTZ)
                        AND date >= $3::TIMESTAMPTZ - INTERVAL 7 DAY GROUP BY strftime(date, '%Y-%m-%d'))
         SELECT sum(CASE WHEN p > 0 THEN p / 2 * log2(2 * p / (p + q)) ELSE 0 END
                  + CASE WHEN q > 0 THEN q / 2 * log2(2 * q / (p + q)) ELSE 0 END) AS js,
                (SELECT count(*) FROM win) AS rows, (SELECT count(*) FROM b) AS distances,
                abs((SELECT count(*) FROM win) / (SELECT avg(n) FROM prior) - 1) AS volume,
                (SELECT count(*) FROM prior) AS trailing_days
         FROM h`,
        [edges, baseline, HOUR, NEXT],
      ),
    );
    const row = (feature: string | null, metric: string) =>
      result.rows.find((r) => r.feature === feature && r.metric === metric)!;
    expect(Number(sql.rows)).toBeGreaterThan(50);
    expect(Number(sql.trailing_days)).toBeGreaterThan(0);
    expect(row("distance", "drift.jensen_shannon").value).toBeCloseTo(Number(sql.js), 12);
    expect(row("distance", "drift.jensen_shannon").rows).toBe(Number(sql.distances));
    expect(row(null, "quality.volume_change").value).toBeCloseTo(Number(sql.volume), 12);
    expect(row(null, "quality.volume_change").rows).toBe(Number(sql.rows));
    const stored = await monitoring(`scope = 'window'`);
    expect(stored).toHaveLength(result.rows.length);
    expect(stored.every((r) => new Date(String(r.scope_start)).toISOString() === HOUR)).toBe(true);
    expect((await monitoring(`scope = 'day'`)).length).toBeGreaterThan(0);
  }, 300_000);

  test("monitorWindow, as a streaming job calls it, replaces the window's rows: a rerun adds nothing", async () => {
    const before = await monitoring("true");
    const again = await withDuckDb(warehouse, (w) => {
      const registry = openRegistry(w, { kind: "duckdb", file: warehouse }, store);
      return monitorWindow(w, registry, "flights-delay@champion", "flights", Date.parse(HOUR));
    });
    expect(again.replaced).toBe(again.rows.length);
    const after = await monitoring("true");
    expect(after).toHaveLength(before.length);
    const values = (rows: Record<string, unknown>[]) =>
      rows.filter((r) => r.scope === "window").map((r) => [r.feature, r.metric, r.value]);
    expect(values(after)).toEqual(values(before));
  }, 300_000);

  test("the pipeline's monitor step: an alert fails it (exit 11) unless fail-on-alert is false", async () => {
    await withDuckDb(warehouse, (w) =>
      w.query(`UPDATE flights SET distance = distance * 5 WHERE strftime(date, '%Y-%m-%d') = $1`, [DAY]),
    );
    const step = (failOnAlert: string) =>
      commands.pipeline([
        "step",
        "monitor",
        "--day",
        DAY,
        "--platform",
        "local",
        "--fail-on-alert",
        failOnAlert,
        "--warehouse",
        warehouse,
        "--store",
        store,
      ]);
    const failed = await step("true").catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(MonitoringAlertError);
    expect(exitCodeOf(failed)).toBe(11);
    expect((failed as Error).message).toMatch(/drift\.jensen_shannon of distance/);
    expect(await step("false")).toMatch(
      new RegExp(`^monitored flights ${DAY} with flights-delay@1: \\d+ rows, [1-9]\\d* alert`),
    );
    expect(new PipelineStepFailedError("rox-monitor", 11).message).toMatch(/monitoring alert/);
  }, 300_000);
});
