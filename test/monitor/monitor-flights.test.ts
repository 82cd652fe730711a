/**
 * `rox monitor` on real flights: a model trained on four January days, then a later day scored as it came (no alert,
 * under Vertex AI's default threshold 0.3 and under a tight 0.05) and the same day with one feature deliberately
 * shifted (distance × 1.8): at 0.05 only that feature alerts. (At 0.3 it does not: its divergence is about 0.1 — the
 * default catches only a shift of about × 3.5 or more on these flights.) The distance's divergence is checked
 * against plain SQL over the warehouse, and a rerun replaces the day's rows.
 */
import * as fs from "fs";
import * as path from "path";
import { monitorCommand } from "../../launcher/commands/monitor";
import { modelsCommand } from "../../launcher/commands/models";
import { scoreCommand } from "../../launcher/commands/score";
import { trainCommand } from "../../launcher/commands/train";
import { exitCodeOf, MonitoringAlertError } from "../../launcher/errors";
import type { MonitorResult } from "../../launcher/monitor/monitor-day";
import type { TrainResult } from "../../launcher/train/train-run";
import { runBatchJob } from "../../pipelines/batch-job";
import { writeFlightSample } from "../../tools/sample/flights";
import type { ModelCard } from "../../transforms/score/model-card";
import { reportCommand } from "../../launcher/commands/report";
import type { ReportResult } from "../../launcher/report/write-report";
import { externalReferences } from "../report/external-references";
import { LABELS_KEY } from "../../launcher/logging/log-entry";
import { captureConsole } from "../support/console-capture";
import { entriesOf, runRox } from "../support/rox-cli";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { flightsWarehouse, trainConfig, withDuckDb } from "../models/fixture";

const TRAINING_DAYS = ["2001-01-08", "2001-01-09", "2001-01-10", "2001-01-11"];
const DAY = "2001-01-12";
const LIMIT = 4000;
const TIGHT = 0.05;

describeNeeds("ml-python")("rox monitor on real flights", () => {
  let work: ReturnType<typeof tempDir>;
  let warehouse: string;
  let store: string;
  let card: ModelCard;
  let tight: string;
  const output = captureConsole();
  const flags = () => ["--warehouse", warehouse, "--store", store];
  const monitor = (...args: string[]) =>
    monitorCommand(["--model", "flights-delay@champion", "--on", "flights", "--partition", DAY, ...flags(), ...args]);

  beforeAll(async () => {
    work = tempDir("monitor-flights");
    store = path.join(work.dir, "models");
    tight = path.join(work.dir, "tight.json");
    fs.writeFileSync(tight, JSON.stringify({ monitoring: { drift: TIGHT } }));
    warehouse = await flightsWarehouse(work.dir, TRAINING_DAYS, LIMIT);
    const trained = (await trainCommand([
      "--model",
      "flights-delay",
      "--warehouse",
      warehouse,
      "--config",
      trainConfig(work.dir),
    ])) as TrainResult;
    await modelsCommand(["register", "--from", trained.local!.modelDir, ...flags()]);
    await modelsCommand(["promote", "flights-delay@1", ...flags()]);
    card = (await import(path.join(trained.local!.modelDir, "card.json"))) as ModelCard;
    const input = path.join(work.dir, "later");
    await writeFlightSample({ outDir: input, format: "jsonl", by: "day", from: DAY, to: "2001-01-13", limit: LIMIT });
    // two bad records beside the day's flights: the run that writes the day dead-letters them
    fs.writeFileSync(path.join(input, "faults.jsonl"), '{"id": "broken\n{"id": "x", "distance": "far"}\n');
    await withDuckDb(warehouse, (w) => runBatchJob({ input, schema: "flights", workDir: work.dir }, w));
    await scoreCommand(["--model", "flights-delay@champion", "--on", "flights", "--partition", DAY, ...flags()]);
  }, 900_000);
  afterAll(() => work?.cleanup());

  test("a later day, unchanged: no alert, no alert log line, exit 0 with --fail-on-alert", async () => {
    const atTight = (await monitor("--fail-on-alert", "--config", tight)) as MonitorResult;
    expect(atTight.rows.filter((r) => r.alert)).toEqual([]);
    const result = (await monitor("--fail-on-alert")) as MonitorResult;
    expect(result.replaced).toBe(atTight.rows.length);
    const rows = (metric: string) => result.rows.filter((r) => r.metric === metric);
    expect(
      rows("drift.jensen_shannon")
        .map((r) => r.feature)
        .sort(),
    ).toEqual(
      [...card.features.filter((f) => f.kind === "number" && !f.monitor).map((f) => f.name), "prediction"].sort(),
    );
    // the weekday is one value on any day: its spec says `monitor: {drift: false}`, so only its missing rate is watched
    expect(result.rows.filter((r) => r.feature === "day_of_week").map((r) => r.metric)).toEqual(["quality.null_rate"]);
    expect(rows("drift.l_infinity").map((r) => r.feature)).toEqual(["origin"]);
    expect(rows("quality.volume_change")).toHaveLength(1);
    // dead-letter rates: the reasons of the run that wrote the day, over the records it read (the day and the faults)
    expect(rows("quality.dead_letter_rate").map((r) => [r.value, r.rows])).toEqual([
      [1 / (LIMIT + 2), LIMIT + 2],
      [1 / (LIMIT + 2), LIMIT + 2],
    ]);
    expect(result.rows.filter((r) => r.alert)).toEqual([]);
    expect(output.errors).toEqual([]);
    const stored = await withDuckDb(warehouse, (w) =>
      w.query("SELECT count(*) AS n, bool_or(alert) AS any FROM monitoring"),
    );
    expect(stored).toEqual([{ n: String(result.rows.length), any: false }]);
  }, 300_000);

  test("the same day, distance × 1.8: at 0.05 only distance alerts; exit 11 with --fail-on-alert", async () => {
    await withDuckDb(warehouse, (w) =>
      w.query(`UPDATE flights SET distance = distance * 1.8 WHERE strftime(date, '%Y-%m-%d') = '${DAY}'`),
    );
    await scoreCommand([
      "--model",
      "flights-delay@champion",
      "--on",
      "flights",
      "--partition",
      DAY,
      "--replace",
      ...flags(),
    ]);
    const atDefault = (await monitor()) as MonitorResult;
    const distance = atDefault.rows.find((r) => r.feature === "distance" && r.metric === "drift.jensen_shannon")!;
    expect(distance.value).toBeGreaterThan(TIGHT);
    expect(distance).toMatchObject({ threshold: 0.3, alert: false });
    output.errors.length = 0;
    const failure = await monitor("--fail-on-alert", "--config", tight).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(MonitoringAlertError);
    expect(exitCodeOf(failure)).toBe(11);
    const stored = await withDuckDb(warehouse, (w) =>
      w.query(`SELECT feature, metric, value, alert, severity FROM monitoring WHERE alert ORDER BY feature`),
    );
    const features = new Set(card.features.map((f) => f.name));
    expect(stored.filter((r) => features.has(String(r.feature)))).toEqual([
      expect.objectContaining({ feature: "distance", metric: "drift.jensen_shannon", alert: true }),
    ]);
    const logged = output.errors.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.length).toBe(stored.length);
    expect(logged).toContainEqual(
      expect.objectContaining({
        severity: expect.stringMatching(/^(WARNING|ERROR)$/),
        "logging.googleapis.com/labels": expect.objectContaining({
          feature: "distance",
          model: "flights-delay",
          model_version: "1",
        }),
      }),
    );
    // one set of rows per scope: the rerun replaced the first run's
    const [{ runs }] = await withDuckDb(warehouse, (w) =>
      w.query("SELECT count(DISTINCT run_id) AS runs FROM monitoring"),
    );
    expect(Number(runs)).toBe(1);
  }, 300_000);

  test("compiled CLI, --log-format json: each line an entry with labels, the alert a WARNING, exit 11", async () => {
    const args = ["monitor", "--model", "flights-delay@champion", "--on", "flights", "--partition", DAY, ...flags()];
    const run = await runRox([
      ...args,
      "--config",
      tight,
      "--fail-on-alert",
      "--log-format",
      "json",
      "--run-id",
      "m-json",
    ]);
    expect(run.code).toBe(11);
    const entries = entriesOf(run.stdout, run.stderr);
    // an alert's own labels win: its model is the name, with model_version beside it
    const labels = {
      command: "monitor",
      model: expect.stringMatching(/^flights-delay/),
      table: "flights",
      run_id: "m-json",
    };
    for (const e of entries) expect(e[LABELS_KEY]).toMatchObject(labels);
    expect(entries.filter((e) => e.severity === "WARNING" || e.severity === "ERROR").map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^flights-delay@1 day 2001-01-12: drift\.jensen_shannon of distance = 0\.\d{4} above 0\.05$/,
      ),
      expect.stringMatching(/^rox: 1 monitoring alert\(s\) on 2001-01-12: drift\.jensen_shannon of distance$/),
    ]);
    expect(entries.find((e) => e.severity === "WARNING")).toMatchObject({
      alert: { feature: "distance", threshold: TIGHT },
    });
  }, 300_000);

  test("the distance's divergence equals plain SQL over the warehouse on the card's edges", async () => {
    const edges = (card.baseline.features.distance as { edges: number[] }).edges;
    const baseline = (card.baseline.features.distance as { counts: number[] }).counts;
    const [sql] = await withDuckDb(warehouse, (w) =>
      w.query(
        `WITH b AS (SELECT len(list_filter(list_slice($1::DOUBLE[], 2, len($1::DOUBLE[]) - 1), e -> e <= distance))
                      AS bin
                    FROM flights WHERE strftime(date, '%Y-%m-%d') = $3 AND distance IS NOT NULL),
         q AS (SELECT bin, count(*) / (SELECT count(*) FROM b) AS q FROM b GROUP BY bin),
         p AS (SELECT generate_subscripts($2::DOUBLE[], 1) - 1 AS bin,
                      unnest($2::DOUBLE[]) / list_sum($2::DOUBLE[]) AS p),
         h AS (SELECT coalesce(p.p, 0) AS p, coalesce(q.q, 0) AS q FROM p FULL JOIN q USING (bin))
         SELECT sum(CASE WHEN p > 0 THEN p / 2 * log2(2 * p / (p + q)) ELSE 0 END
                  + CASE WHEN q > 0 THEN q / 2 * log2(2 * q / (p + q)) ELSE 0 END) AS js,
                (SELECT value FROM monitoring WHERE feature = 'distance' AND metric = 'drift.jensen_shannon') AS ours
         FROM h`,
        [edges, baseline, DAY],
      ),
    );
    expect(Number(sql.ours)).toBeCloseTo(Number(sql.js), 12);
  });

  test("rox report draws all four charts from these tables, in one file referring to nothing else", async () => {
    const out = path.join(work.dir, "report.html");
    const result = (await reportCommand(["--out", out, "--warehouse", warehouse])) as ReportResult;
    expect(result.charts.filter((c) => !c.rendered)).toEqual([]);
    const html = fs.readFileSync(out, "utf8");
    expect(html.match(/<svg\b/g)).toHaveLength(4);
    expect(externalReferences(html)).toEqual([]);
    // the drift chart has a panel per monitored feature, with the dashed threshold line
    expect(html).toContain('stroke-dasharray="4,4"');
    for (const feature of ["distance", "origin", "prediction"]) expect(html).toContain(`>${feature}</text>`);
  });
});
