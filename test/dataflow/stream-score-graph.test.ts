/**
 * The streaming graph with its scoring branch (`rox stream --score` on Dataflow/Flink), run for real on the Beam
 * DirectRunner: real flights of a day, in time order, as the PubsubMessage protos Java's Pub/Sub read emits (the one
 * step the DirectRunner cannot run, swapped through the graph's `messages` role) → decode, validate, features, window
 * partials → every written event scored by the pinned model version (loaded once per worker from the store), its
 * window features read from the DuckDB warehouse's window table through the online lookup's worker-thread bridge →
 * predictions and score dead letters through the graph's sink port (staged files, as on Flink).
 *
 * The DirectRunner folds no window state into the warehouse while it runs (Dataflow's view over the partials does),
 * so the warehouse already holds the day's windows, landed by the batch job: a feature reads the window that *ended*
 * at the event's hour, which holds only earlier events — exactly what a stream published in time order knows by then.
 * The predictions equal `rox score`'s (batch) on the same events to 1e-9; a model that cannot score an event without
 * its previous window makes score dead letters of records 0 for exactly those events.
 */
import * as fs from "fs";
import * as path from "path";
import { scoreCommand } from "../../launcher/commands/score";
import { trainCommand } from "../../launcher/commands/train";
import { modelsCommand } from "../../launcher/commands/models";
import { openRegistry } from "../../launcher/models/open-registry";
import { readJsonLines } from "../../io/files/json-lines";
import { runBatchJob } from "../../pipelines/batch-job";
import { stagedPathsIn } from "../../pipelines/chunk-run";
import { runDirect } from "../../pipelines/direct";
import { stagedFileSinks } from "../../pipelines/sinks";
import { stagedFilesSink } from "../../pipelines/dataflow/graph-sink";
import { ID_ATTRIBUTE, TIMESTAMP_ATTRIBUTE } from "../../pipelines/dataflow/job-graph";
import { streamGraph } from "../../pipelines/dataflow/stream-graph";
import { streamScoreOf } from "../../pipelines/dataflow/stream-score-graph";
import { stopWindowLookupSync } from "../../pipelines/dataflow/window-lookup-sync";
import { planMessages } from "../../tools/publish/plan";
import { writeFlightSample } from "../../tools/sample/flights";
import { flightsWarehouse, trainConfig, withDuckDb } from "../models/fixture";
import { quietly } from "../serve/fixture";
import { describeNeeds } from "../support/prerequisites";
import { messagesFromFile } from "../support/pubsub-proto-file";
import { tempDir } from "../support/temp";

const DAY = "2001-01-10";
const EVENTS = 400;
const NOW = Date.parse("2001-02-01T00:00:00Z");
const SUBSCRIPTION = "projects/rox-test/subscriptions/flights-scored";

describeNeeds("ml-python")("the streaming graph's scoring branch on the DirectRunner", () => {
  let work: ReturnType<typeof tempDir>;
  let warehouse: string;
  let store: string;
  let messages: string;
  let dayIds: string[];

  beforeAll(async () => {
    work = tempDir("stream-score-graph");
    warehouse = await flightsWarehouse(work.dir, ["2001-01-08", "2001-01-09"], 1500);
    store = path.join(work.dir, "models");
    await quietly(async () => {
      const trained = await trainCommand([
        "--model",
        "flights-delay",
        "--warehouse",
        warehouse,
        "--config",
        trainConfig(work.dir),
      ]);
      const args = ["--from", trained.local!.modelDir, "--alias", "champion", "--warehouse", warehouse];
      await modelsCommand(["register", ...args, "--store", store]);
    });
    // The streamed day: its first flights in event-time order, landed in the warehouse by the batch job (its windows).
    const sample = await writeFlightSample({
      outDir: path.join(work.dir, "day"),
      format: "jsonl",
      by: "day",
      from: DAY,
      to: "2001-01-11",
      limit: EVENTS,
    });
    const events = [...readJsonLines(sample.files[0].path)].sort(
      (a, b) => Date.parse(String(a.date)) - Date.parse(String(b.date)),
    );
    const input = path.join(work.dir, "streamed");
    fs.mkdirSync(input);
    const file = path.join(input, "day-sorted.jsonl");
    fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    await withDuckDb(warehouse, (w) => runBatchJob({ input, schema: "flights", workDir: work.dir }, w));
    messages = path.join(work.dir, "messages.jsonl");
    const planned = [...planMessages([file])];
    fs.writeFileSync(
      messages,
      planned
        .map((m, i) =>
          JSON.stringify({ ...m.message, messageId: `m${i}`, publishTimeMs: m.eventTimeMs ?? NOW - 86_400_000 }),
        )
        .join("\n") + "\n",
    );
    dayIds = planned.map((m) => m.message.attributes![ID_ATTRIBUTE]).sort();
  }, 900_000);

  afterAll(async () => {
    await stopWindowLookupSync();
    work?.cleanup();
  });

  /** The graph with `--score` parameters as the launcher passes them; the staged rows it wrote. */
  async function runScored(runId: string, modelVersion: number, modelUri: string) {
    const dir = path.join(work.dir, runId);
    const paths = stagedPathsIn(dir);
    const scored = { rows: path.join(dir, "predictions.jsonl"), deadLetters: path.join(dir, "score-dead.jsonl") };
    Object.values(scored).forEach((f) => fs.writeFileSync(f, ""));
    const who = { schema: "flights", table: "flights", jobName: "rox-stream-test", runId, nowMs: NOW };
    const parameters = {
      model: "flights-delay",
      modelVersion: String(modelVersion),
      modelUri,
      lookupWarehouse: warehouse,
      windowCacheSeconds: "60",
    };
    await runDirect(
      streamGraph({
        ...who,
        maxRecordBytes: 1 << 20,
        sink: stagedFilesSink(stagedFileSinks(paths), scored),
        pubsub: { subscription: SUBSCRIPTION, idAttribute: ID_ATTRIBUTE, timestampAttribute: TIMESTAMP_ATTRIBUTE },
        score: streamScoreOf(parameters, who),
        messages: messagesFromFile(messages),
      }),
    );
    return {
      events: [...readJsonLines(paths.events)],
      predictions: [...readJsonLines(scored.rows)],
      dead: [...readJsonLines(scored.deadLetters)],
    };
  }

  async function versionFolder(version: number): Promise<string> {
    return withDuckDb(warehouse, async (w) => {
      const registry = openRegistry(w, { kind: "duckdb", file: warehouse }, store);
      return registry.localFolder(await registry.resolve({ name: "flights-delay", version }));
    });
  }

  test("every written event is scored as `rox score` (batch) scores it, to 1e-9", async () => {
    const out = await runScored("streamscore1", 1, await versionFolder(1));
    expect(out.events.map((e) => String(e.event_id)).sort()).toEqual(dayIds);
    expect(out.dead).toEqual([]);
    expect(out.predictions.map((p) => String(p.event_id)).sort()).toEqual(dayIds);
    for (const p of out.predictions)
      expect(p).toMatchObject({ model: "flights-delay", model_version: 1, score_run_id: "streamscore1" });

    const args = ["--model", "flights-delay@1", "--on", "flights", "--partition", DAY];
    await quietly(() => scoreCommand([...args, "--warehouse", warehouse, "--store", store]));
    const batch = await withDuckDb(warehouse, async (w) => {
      const rows = await w.query("SELECT event_id, prediction FROM flights_predictions WHERE model_version = 1");
      return new Map(rows.map((r) => [String(r.event_id), Number(r.prediction)]));
    });
    expect([...batch.keys()].sort()).toEqual(dayIds);
    for (const p of out.predictions)
      expect(Math.abs((p.prediction as number) - batch.get(String(p.event_id))!)).toBeLessThan(1e-9);
  }, 600_000);

  test("an event the model cannot score without its previous window is a score dead letter of records 0", async () => {
    const strict = path.join(work.dir, "strict-model");
    fs.cpSync(await versionFolder(1), strict, { recursive: true });
    const card = JSON.parse(fs.readFileSync(path.join(strict, "card.json"), "utf8"));
    const nullable = (f: { name: string }) => (f.name === "origin_prev_mean_delay" ? { ...f, nullable: false } : f);
    fs.writeFileSync(
      path.join(strict, "card.json"),
      JSON.stringify({ ...card, features: card.features.map(nullable) }),
    );
    const out = await runScored("streamscore2", 1, strict);
    expect(out.dead.length).toBeGreaterThan(0);
    expect(out.predictions.length).toBeGreaterThan(0);
    const ids = [...out.predictions.map((p) => p.event_id), ...out.dead.map((d) => String(d.sourceUri).slice(8))];
    expect(ids.map(String).sort()).toEqual(dayIds);
    for (const d of out.dead)
      expect(d).toMatchObject({
        errorStage: "score",
        errorClass: "feature.missing",
        errorMessage: "feature origin_prev_mean_delay is missing",
        records: 0,
        messageId: "flights-delay@1",
        runId: "streamscore2",
      });
  }, 600_000);
});
