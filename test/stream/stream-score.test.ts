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
import type { Warehouse } from "../../io/ports";
import { openRegistry } from "../../launcher/models/open-registry";
import { streamModelFeed } from "../../launcher/models/stream-model";
import { scoreCommand } from "../../launcher/commands/score";
import { planMessages, type PlannedMessage } from "../../launcher/publish/plan";
import { writeFlightSample } from "../../launcher/sample/flights";
import { runStreamJob, type StreamJobOptions } from "../../pipelines/stream-job";
import { readJsonLines } from "../../io/files/json-lines";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { describeNeeds } from "../support/prerequisites";
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
  const sample = await writeFlightSample({ outDir: path.join(dir, "day"), format: "jsonl", by: "day", from: DAY, to: "2001-01-12", limit: 1500 });
  const events = [...readJsonLines(sample.files[0].path)].sort((a, b) => Date.parse(String(a.date)) - Date.parse(String(b.date)));
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
  pubsub.publish("scored-events", first.map((m) => m.message));
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
  const file = path.join(work.dir, `batch-v${version}.duckdb`);
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

  test("every written event is scored in its micro-batch, as batch scoring does; an alias move is picked up", async () => {
    const file = copyWarehouse("moved");
    const half = Math.floor(messages.length / 2);
    const pubsub = pubsubWith(messages.slice(0, half));
    const lines: string[] = [];
    let moved: Promise<void> | undefined;
    const { summary, firstIds } = await withDuckDb(file, async (warehouse) => {
      let firstIds: Set<string> | undefined;
      const moveAlias = async () => {
        firstIds = new Set((await warehouse.query("SELECT event_id FROM flights_predictions")).map((r) => String(r.event_id)));
        await openRegistry(warehouse, { kind: "duckdb", file }, s.store).setAlias("flights-delay", 2, "champion");
        pubsub.publish("scored-events", messages.slice(half).map((m) => m.message));
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
});

