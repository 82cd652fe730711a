/**
 * `rox stream --score`: real flights of a day published in time order to the in-memory Pub/Sub, streamed into a copy
 * of the serving fixture's warehouse (two registered models trained by the real trainer, v1 `champion`) with every
 * written event scored in its own micro-batch. Predictions equal `rox score`'s (batch) for the same events and
 * versions to 1e-9, the alias moved mid-stream is picked up without a restart, events and predictions commit in one
 * transaction, and an event whose features cannot be built is written with a score dead letter instead.
 */
import * as fs from "fs";
import * as path from "path";
import { MemoryPubSub } from "../../io/memory/memory-pubsub";
import type { CommitReport, PreparedChunk, Warehouse } from "../../io/ports";
import { openRegistry } from "../../launcher/models/open-registry";
import { streamModelFeed } from "../../launcher/models/stream-model";
import { monitorWindow, type MonitorResult } from "../../launcher/monitor/monitor-day";
import { streamWindowMonitor } from "../../launcher/monitor/stream-windows";
import { scoreCommand } from "../../launcher/commands/score";
import { streamCommand } from "../../launcher/commands/stream";
import { ModelNotFoundError } from "../../launcher/models/errors";
import { planMessages, type PlannedMessage } from "../../tools/publish/plan";
import { dayFlightsByTime } from "./day-events";
import { runStreamJob, type StreamJobOptions } from "../../pipelines/stream-job";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { describeNeeds, itNeeds } from "../support/prerequisites";
import { startTestEmulator } from "../support/pubsub-emulator";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { publishEvents } from "../../tools/publish/replay";
import { tempDir } from "../support/temp";
import { quietly, servingFixture, type Served } from "../serve/fixture";
import { withDuckDb } from "../models/fixture";

const DAY = "2001-01-11";
const SUBSCRIPTION = "projects/rox-test/subscriptions/scored";
let work: ReturnType<typeof tempDir>;
let s: Served;
let messages: PlannedMessage[];

/** The day's first flights as one file sorted by event time, published as planned (5% re-sent). */
async function dayMessages(dir: string): Promise<PlannedMessage[]> {
  const events = await dayFlightsByTime(dir);
  const file = path.join(dir, "day-sorted.jsonl");
  fs.writeFileSync(file, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
  return [...planMessages([file], { duplicates: 0.05, seed: 11 })];
}

/** A copy of the fixture's warehouse (its registry included) for one test. */
function copyWarehouse(name: string): string {
  const file = path.join(work.dir, `${name}.duckdb`);
  fs.copyFileSync(s.warehouse, file);
  return file;
}

function feedOf(file: string, warehouse: Warehouse, alias: string, lines: string[]) {
  const options = {
    ref: { name: "flights-delay", alias },
    schema: "flights",
    target: { kind: "duckdb" as const, file },
    store: s.store,
    log: (line: string) => lines.push(line),
  };
  return streamModelFeed(options, warehouse);
}

const JOB: Omit<StreamJobOptions, "workDir"> = {
  schema: "flights",
  subscription: SUBSCRIPTION,
  batchSize: 250,
  idleTimeoutSeconds: 20,
  isolation: { backoffMs: 10 },
  log: () => undefined,
};

function pubsubWith(first: PlannedMessage[]): MemoryPubSub {
  const pubsub = new MemoryPubSub();
  pubsub.createTopic("scored-events");
  pubsub.createSubscription(SUBSCRIPTION, "scored-events");
  pubsub.publish(
    "scored-events",
    first.map((m) => m.message),
  );
  return pubsub;
}

async function predictionsOf(warehouse: Warehouse, runId: string): Promise<Map<string, { v: number; p: number }>> {
  const rows = await warehouse.query(
    `SELECT event_id, model_version AS v, prediction AS p FROM flights_predictions WHERE score_run_id = '${runId}'`,
  );
  return new Map(rows.map((r) => [String(r.event_id), { v: Number(r.v), p: Number(r.p) }]));
}

/** What `rox score` (batch) gives for the day with `version`, on a copy of the streamed warehouse. */
async function batchScores(streamed: string, version: number): Promise<Map<string, number>> {
  const file = path.join(work.dir, `batch-v${version}-${path.basename(streamed)}`);
  fs.copyFileSync(streamed, file);
  await withDuckDb(file, (w) => w.query("DELETE FROM flights_predictions"));
  const args = ["--model", `flights-delay@${version}`, "--on", "flights", "--partition", DAY];
  await quietly(() => scoreCommand([...args, "--warehouse", file, "--store", s.store]));
  return withDuckDb(file, async (w) => {
    const rows = await w.query(`SELECT event_id, prediction FROM flights_predictions WHERE model_version = ${version}`);
    return new Map(rows.map((r) => [String(r.event_id), Number(r.prediction)]));
  });
}

describeNeeds("ml-python")("rox stream --score", () => {
  beforeAll(async () => {
    work = tempDir("stream-score");
    s = await servingFixture(work.dir);
    messages = await dayMessages(work.dir);
  }, 900_000);
  afterAll(() => work?.cleanup());

  test("each written event is scored in its micro-batch as in batch; an alias move is picked up", async () => {
    const file = copyWarehouse("moved");
    const half = Math.floor(messages.length / 2);
    const pubsub = pubsubWith(messages.slice(0, half));
    const lines: string[] = [];
    let moved: Promise<void> | undefined;
    const { summary, firstIds } = await withDuckDb(file, async (warehouse) => {
      let firstIds: Set<string> | undefined;
      const moveAlias = async () => {
        firstIds = new Set(
          (await warehouse.query("SELECT event_id FROM flights_predictions")).map((r) => String(r.event_id)),
        );
        await openRegistry(warehouse, { kind: "duckdb", file }, s.store).setAlias("flights-delay", 2, "champion");
        pubsub.publish(
          "scored-events",
          messages.slice(half).map((m) => m.message),
        );
      };
      const onBatch = ({ summary }: { summary: JobSummary }) => {
        if (summary.read >= half && !moved) moved = moveAlias();
      };
      const options = { ...JOB, workDir: work.dir, maxMessages: messages.length, onBatch };
      const score = feedOf(file, warehouse, "champion", lines);
      const summary = await runStreamJob({ ...options, score }, pubsub.source(SUBSCRIPTION), warehouse);
      await moved;
      const streamed = await predictionsOf(warehouse, summary.runId);
      return { summary: { ...summary, streamed }, firstIds: firstIds! };
    });
    expect(unaccounted(summary)).toBe(0);
    expect(summary.duplicates).toBeGreaterThan(0);
    expect(summary.byTable.flights_predictions).toBe(summary.written);
    expect(Object.keys(summary.byReason).filter((r) => r.startsWith("score/"))).toEqual([]);
    const streamed = summary.streamed;
    expect(streamed.size).toBe(summary.written);
    expect(lines).toContain("rox stream: flights-delay@champion is v1 → v2");
    for (const [id, { v }] of streamed) expect([id, v]).toEqual([id, firstIds.has(id) ? 1 : 2]);
    const byVersion = [1, 2].map((v) => [...streamed.values()].filter((x) => x.v === v).length);
    expect(byVersion.every((n) => n > 100)).toBe(true);
    for (const version of [1, 2]) {
      const batch = await batchScores(file, version);
      for (const [id, { v, p }] of streamed) {
        if (v !== version) continue;
        expect(Math.abs(p - batch.get(id)!)).toBeLessThanOrEqual(1e-9);
      }
    }
  }, 900_000);

  test("--monitor: each window the stream closed is monitored as rox monitor --window does; the last stays open", async () => {
    const file = copyWarehouse("monitored");
    const lines: string[] = [];
    const { summary, monitor, again } = await withDuckDb(file, async (warehouse) => {
      const registry = openRegistry(warehouse, { kind: "duckdb", file }, s.store);
      const score = feedOf(file, warehouse, "champion", []);
      const log = (line: string) => lines.push(line);
      const monitor = streamWindowMonitor(
        { model: "flights-delay@champion", schema: "flights", sql: score.sql, log },
        warehouse,
        registry,
      );
      const options = { ...JOB, workDir: work.dir, maxMessages: messages.length, idleTimeoutSeconds: 3 };
      const job = { ...options, score, afterBatch: monitor.afterBatch };
      const summary = await runStreamJob(job, pubsubWith(messages).source(SUBSCRIPTION), warehouse);
      const starts = monitor.monitored.map((m) => Date.parse(m.scope.start));
      const again: MonitorResult[] = [];
      for (const h of starts)
        again.push(await monitorWindow(warehouse, registry, "flights-delay@champion", "flights", h));
      return { summary, monitor, again };
    });
    const hours = await withDuckDb(file, (w) =>
      w.query(
        `SELECT DISTINCT epoch_ms(date_trunc('hour', event_time)) AS h FROM flights_predictions
         WHERE score_run_id = '${summary.runId}' ORDER BY h`,
      ),
    );
    const scored = hours.map((r) => Number(r.h));
    expect(scored.length).toBeGreaterThan(2);
    const monitored = monitor.monitored.map((m) => Date.parse(m.scope.start));
    expect(monitored).toEqual(scored.slice(0, -1)); // in order, each once: the day's events arrive in time order
    expect(monitor.open()).toEqual(scored.slice(-1));
    for (const [i, result] of again.entries()) {
      expect(result.replaced).toBe(monitor.monitored[i].rows.length);
      const values = (r: typeof result) => r.rows.map((row) => [row.feature, row.metric, row.value, row.rows]);
      expect(values(result)).toEqual(values(monitor.monitored[i]));
    }
    const stored = await withDuckDb(file, (w) =>
      w.query("SELECT DISTINCT epoch_ms(scope_start) AS h FROM monitoring WHERE scope = 'window' ORDER BY h"),
    );
    expect(stored.map((r) => Number(r.h))).toEqual(monitored);
    expect(lines.filter((l) => l.startsWith("rox stream: monitored the window"))).toHaveLength(monitored.length);
  }, 900_000);

  itNeeds("pubsub-emulator")(
    "the CLI's job on the Pub/Sub emulator scores every written event as rox score does",
    async () => {
      const emulator = (await startTestEmulator())!;
      try {
        const file = copyWarehouse("emulator");
        const common = { host: emulator.host, project: "rox-test", topic: "scored-topic" };
        await (await openSubscription({ ...common, subscription: "scored-cli" })).close();
        const from = path.join(work.dir, "day-sorted.jsonl");
        const { published } = await publishEvents({ ...common, from, duplicates: 0.05, seed: 11 });
        const where = ["--project", "rox-test", "--host", emulator.host, "--warehouse", file, "--store", s.store];
        const job = [
          "--subscription",
          "scored-cli",
          "--schema",
          "flights",
          "--score",
          "flights-delay@champion",
          "--monitor",
        ];
        const stop = ["--max-messages", String(published), "--idle-timeout", "5"];
        const summary = (await quietly(() => streamCommand([...job, ...where, ...stop])))!;
        expect(summary.read).toBe(published);
        expect(unaccounted(summary)).toBe(0);
        expect(summary.byTable.flights_predictions).toBe(summary.written);
        const streamed = await withDuckDb(file, (warehouse) => predictionsOf(warehouse, summary.runId));
        expect(streamed.size).toBe(summary.written);
        const windows = await withDuckDb(file, (w) =>
          w.query("SELECT count(DISTINCT scope_start) AS n FROM monitoring WHERE scope = 'window' AND version = 1"),
        );
        expect(Number(windows[0].n)).toBeGreaterThan(0); // --monitor: the windows the stream closed
        const batch = await batchScores(file, 1);
        for (const [id, { v, p }] of streamed)
          expect([id, v, Math.abs(p - batch.get(id)!) <= 1e-9]).toEqual([id, 1, true]);
      } finally {
        await emulator.stop();
      }
    },
    900_000,
  );

  test("a micro-batch with nothing to score (every record a dead letter) keeps its records' own reasons", async () => {
    const file = copyWarehouse("nothing");
    const pubsub = pubsubWith([]);
    const bad = ["{oops", "[1, 2]"].map((text) => ({ data: Buffer.from(text).toString("base64") }));
    pubsub.publish("scored-events", bad);
    const summary = await withDuckDb(file, async (warehouse) => {
      const score = feedOf(file, warehouse, "champion", []);
      const options = { ...JOB, workDir: work.dir, maxMessages: 2, score };
      return runStreamJob(options, pubsub.source(SUBSCRIPTION), warehouse);
    });
    expect(summary).toMatchObject({ read: 2, written: 0, deadLettered: 2 });
    expect(Object.keys(summary.byReason).sort()).toEqual(["decode/malformed_json", "decode/not_an_object"]);
    expect(summary.byTable.flights_predictions).toBe(0);
  }, 900_000);

  test("a model that cannot be resolved stops the job before it reads anything", async () => {
    const file = copyWarehouse("unknown");
    const pubsub = pubsubWith(messages.slice(0, 10));
    await withDuckDb(file, async (warehouse) => {
      const score = feedOf(file, warehouse, "nightly", []);
      const job = runStreamJob({ ...JOB, workDir: work.dir, score }, pubsub.source(SUBSCRIPTION), warehouse);
      await expect(job).rejects.toThrow(ModelNotFoundError);
      expect(await warehouse.query("SELECT * FROM job_runs WHERE job = 'stream'")).toEqual([]);
    });
    expect(pubsub.pull(SUBSCRIPTION, 100)).toHaveLength(10); // none was pulled: all still wait for a first delivery
  }, 900_000);

  test("a micro-batch's events and predictions commit together: a failure before COMMIT leaves neither", async () => {
    const file = copyWarehouse("atomic");
    const seen: Seen[] = [];
    const summary = await withDuckDb(file, async (real) => {
      const warehouse = failingOnce(real, seen);
      const options = { ...JOB, workDir: work.dir, maxMessages: messages.length, idleTimeoutSeconds: 3 };
      const score = feedOf(file, warehouse, "champion", []);
      const pubsub = pubsubWith(messages);
      const summary = await runStreamJob({ ...options, score }, pubsub.source(SUBSCRIPTION), warehouse);
      const [row] = await real.query(
        "SELECT count(*) AS n, count(p.event_id) AS scored, count(DISTINCT p.event_id) AS once FROM flights e " +
          `LEFT JOIN flights_predictions p USING (event_id) WHERE e._run_id = '${summary.runId}'`,
      );
      expect([Number(row.n), Number(row.scored), Number(row.once)]).toEqual([
        summary.written,
        summary.written,
        summary.written,
      ]);
      return summary;
    });
    expect(unaccounted(summary)).toBe(0);
    expect(seen).toHaveLength(1);
    const [{ before, inserted, after }] = seen;
    expect(inserted.events).toBeGreaterThan(0);
    expect(inserted.predictions).toBe(inserted.events);
    expect(after).toEqual(before);
  }, 900_000);

  test("an event whose features cannot be built is written, with a score dead letter naming the feature", async () => {
    const file = copyWarehouse("strict");
    await registerStrictModel(file);
    const summary = await withDuckDb(file, async (warehouse) => {
      const options = { ...JOB, workDir: work.dir, maxMessages: messages.length, idleTimeoutSeconds: 3 };
      const score = feedOf(file, warehouse, "strict", []);
      const summary = await runStreamJob({ ...options, score }, pubsubWith(messages).source(SUBSCRIPTION), warehouse);
      const dead = await warehouse.query(
        "SELECT d.sourceUri, d.errorClass, d.errorMessage, d.records, d.messageId, e.event_id AS written, " +
          "p.event_id AS predicted FROM dead_letters d LEFT JOIN flights e ON d.sourceUri = 'flights/' || e.event_id " +
          "LEFT JOIN flights_predictions p ON p.event_id = e.event_id " +
          `WHERE d.runId = '${summary.runId}' AND d.errorStage = 'score'`,
      );
      const predicted = await predictionsOf(warehouse, summary.runId);
      return { ...summary, dead, predicted: predicted.size };
    });
    const failed = summary.byReason["score/feature.missing"];
    expect(failed).toBeGreaterThan(0);
    expect(summary.dead).toHaveLength(failed);
    expect(summary.predicted).toBeGreaterThan(0);
    expect(summary.predicted + failed).toBe(summary.written);
    expect(unaccounted(summary)).toBe(0);
    for (const d of summary.dead) {
      expect(d).toMatchObject({
        errorClass: "feature.missing",
        records: "0",
        messageId: "flights-delay@3",
        predicted: null,
      });
      expect(d.errorMessage).toBe("feature origin_prev_mean_delay is missing");
      expect(d.written).toEqual(String(d.sourceUri).slice("flights/".length));
    }
  }, 900_000);
});

describe("rox stream --score refuses what it cannot do (exit 2)", () => {
  test.each([
    [
      "--runner flink",
      ["--runner", "flink"],
      "--score runs on the local runner and --runner dataflow (not yet --runner flink)",
    ],
    [
      "--warehouse bigquery",
      ["--warehouse", "bigquery", "--project", "p", "--dataset", "d"],
      "--score commits predictions to the DuckDB warehouse only (not yet --warehouse bigquery)",
    ],
  ])("%s", async (_name, flags, message) => {
    const argv = ["--subscription", "scored", "--schema", "flights", "--score", "flights-delay@champion", ...flags];
    await expect(streamCommand(argv)).rejects.toMatchObject({ kind: "usage", message });
  });

  test("--monitor without --score", async () => {
    const argv = ["--subscription", "scored", "--schema", "flights", "--monitor"];
    const message = "--monitor watches the model the stream scores with: give --score <model>@<alias> too";
    await expect(streamCommand(argv)).rejects.toMatchObject({ kind: "usage", message });
  });
});

interface Counts {
  events: number;
  predictions: number;
}

async function counts(warehouse: Warehouse): Promise<Counts> {
  const [events] = await warehouse.query("SELECT count(*) AS n FROM flights");
  const tables = await warehouse.query(
    "SELECT 1 FROM information_schema.tables WHERE table_name = 'flights_predictions'",
  );
  const [predictions] = tables.length
    ? await warehouse.query("SELECT count(*) AS n FROM flights_predictions")
    : [{ n: 0 }];
  return { events: Number(events.n), predictions: Number(predictions.n) };
}

/**
 * The real warehouse, but the first scored micro-batch fails inside its transaction after its events and predictions
 * are inserted (where its job_runs row is written, just before COMMIT): what the transaction had inserted (DuckDB's
 * changed-row counts), and what is left in the tables before and after.
 */
function failingOnce(real: Warehouse, seen: Seen[]): Warehouse {
  const warehouse = Object.create(real) as Warehouse;
  warehouse.prepareChunk = async (...args) => {
    const prepared = await real.prepareChunk(...args);
    const commit: PreparedChunk["commit"] = async (chunk, runSummary) => {
      if (seen.length > 0 || !chunk.predictions) return prepared.commit(chunk, runSummary);
      const before = await counts(real);
      let inserted: Counts | undefined;
      const failing = (report: CommitReport): JobSummary => {
        inserted = { events: report.eventsWritten, predictions: report.predictionsWritten ?? 0 };
        throw new Error("injected failure just before COMMIT");
      };
      const failure = await prepared.commit(chunk, failing).catch((err: Error) => err);
      seen.push({ before, inserted: inserted!, after: await counts(real) });
      throw failure;
    };
    return Object.assign(Object.create(prepared) as PreparedChunk, { commit }); // open, abort: the real handle's
  };
  return warehouse;
}

interface Seen {
  before: Counts;
  inserted: Counts;
  after: Counts;
}

/** Version 3: version 2's trees, with a card that requires the origin's previous-hour mean delay (no window: none). */
async function registerStrictModel(file: string): Promise<void> {
  await withDuckDb(file, async (warehouse) => {
    const registry = openRegistry(warehouse, { kind: "duckdb", file }, s.store);
    const dir = path.join(work.dir, "strict-model");
    fs.cpSync(await registry.localFolder(await registry.resolve({ name: "flights-delay", version: 2 })), dir, {
      recursive: true,
    });
    const card = JSON.parse(fs.readFileSync(path.join(dir, "card.json"), "utf8"));
    const strict = (f: { name: string }) => (f.name === "origin_prev_mean_delay" ? { ...f, nullable: false } : f);
    fs.writeFileSync(path.join(dir, "card.json"), JSON.stringify({ ...card, features: card.features.map(strict) }));
    fs.appendFileSync(path.join(dir, "model.json"), "\n");
    const { model } = await registry.register(dir, ["strict"]);
    expect(model.version).toBe(3);
  });
}
