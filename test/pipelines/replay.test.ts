import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { runReplayJob, type ReplayJobOptions } from "../../pipelines/replay-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import type { ReplaySummary } from "../../transforms/replay-summary";
import { run as runCli } from "../../launcher/main";
import { tempDir } from "../support/temp";
import { CSV, JSONL, MAX_RECORD_BYTES, runStreamBatch, SUBSCRIPTION, tally } from "./replay-fixture";
import { writeBatchInput, writeFixedSchema } from "./replay-fixture";

// Issue 9, item 16: dead letters replayed after a fix. What now lands is written once and its dead letter settled;
// what fails again stays a dead letter with its new reason; a second replay adds nothing.
jest.setTimeout(120_000);

let work: ReturnType<typeof tempDir>;
let input: string;
let fixedSchemas: string;
let avro: { corruptBlockRecords: number; avroRecords: number };

beforeAll(async () => {
  work = tempDir("replay");
  input = path.join(work.dir, "input");
  avro = await writeBatchInput(input);
  fixedSchemas = writeFixedSchema(path.join(work.dir, "fixed-schemas"));
});
afterAll(() => work.cleanup());

type Row = Record<string, unknown>;

const LIVE = "(replayOutcome IS NULL OR replayOutcome = 'failed_again')";

async function rows(warehouse: DuckDbWarehouse, sql: string, params: unknown[] = []): Promise<Row[]> {
  return warehouse.query(sql, params);
}

async function count(warehouse: DuckDbWarehouse, sql: string, params: unknown[] = []): Promise<number> {
  return Number(Object.values((await rows(warehouse, sql, params))[0])[0]);
}

async function deadLetters(warehouse: DuckDbWarehouse, runId: string): Promise<Row[]> {
  const sql = `SELECT sourceUri AS file, sourceLine AS line, messageId AS message,
               errorStage || '/' || errorClass AS reason, replayOutcome AS outcome, replayedBy
               FROM dead_letters WHERE runId = $1 ORDER BY sourceUri, sourceLine, messageId`;
  const found = await rows(warehouse, sql, [runId]);
  const line = (r: Row) => (r.line === null ? null : Number(r.line));
  return found.map((r) => ({ ...r, file: path.basename(String(r.file)), line: line(r) }));
}

async function eventIds(warehouse: DuckDbWarehouse): Promise<string[]> {
  return (await rows(warehouse, "SELECT event_id FROM flights ORDER BY event_id")).map((r) => String(r.event_id));
}

async function jobRun(warehouse: DuckDbWarehouse, runId: string): Promise<Row> {
  const sql = `SELECT job, status, "read", written, "deadLettered", duplicates FROM job_runs WHERE "runId" = $1`;
  const [row] = await rows(warehouse, sql, [runId]);
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, ["job", "status"].includes(k) ? v : Number(v)]));
}

function counts(s: JobSummary): Row {
  return { read: s.read, written: s.written, deadLettered: s.deadLettered, duplicates: s.duplicates };
}

/** Each warehouse of a test starts from the same batch run and streaming micro-batch. */
async function openWithDeadLetters(name: string): Promise<{ warehouse: DuckDbWarehouse; batch: JobSummary }> {
  const warehouse = await DuckDbWarehouse.open(path.join(work.dir, `${name}.duckdb`));
  const options = { input, schema: "flights", workDir: work.dir, maxRecordBytes: MAX_RECORD_BYTES };
  const batch = await runBatchJob(options, warehouse);
  await runStreamBatch(warehouse, path.join(work.dir, `${name}-stream`), `stream-${name}`);
  return { warehouse, batch };
}

/** Replays with the fix (a relaxed constraint in a new version of the schema) and the first run's record limit. */
function replayFixed(warehouse: DuckDbWarehouse, options: ReplayJobOptions): Promise<ReplaySummary> {
  const fix = { schemasDir: fixedSchemas, maxRecordBytes: MAX_RECORD_BYTES, workDir: work.dir };
  return runReplayJob({ ...fix, ...options }, warehouse);
}

test("the first run dead-letters what the fixture says", async () => {
  const { warehouse, batch } = await openWithDeadLetters("first");
  try {
    const { written = 0, ...reasons } = tally([...JSONL, ...CSV], 1);
    expect(batch.written).toBe(written + avro.avroRecords - avro.corruptBlockRecords - 1);
    const late = reasons["validate/constraint.max"] + 1; // and the first Avro record
    const corrupt = avro.corruptBlockRecords;
    const expected = { ...reasons, "validate/constraint.max": late, "decode/corrupt_avro_block": corrupt };
    expect(batch.byReason).toEqual(expected);
  } finally {
    await warehouse.close();
  }
});

test("--reason and --since choose the dead letters: only those are fed again, what lands is written once", async () => {
  const { warehouse, batch } = await openWithDeadLetters("reason");
  try {
    const before = await eventIds(warehouse);
    const future = await replayFixed(warehouse, { runId: batch.runId, sinceMs: Date.now() + 3600_000 });
    expect(counts(future)).toEqual({ read: 0, written: 0, deadLettered: 0, duplicates: 0 });
    expect(await eventIds(warehouse)).toEqual(before);

    const since = Date.parse(batch.startedAt);
    const replay = await replayFixed(warehouse, { runId: batch.runId, reason: "constraint.max", sinceMs: since });
    // late-1, late-far-1, ok-1 again, twice-1 twice, csv-late-1, avro-0: 4 land, 1 fails again, 2 are duplicates.
    expect(counts(replay)).toEqual({ read: 7, written: 4, deadLettered: 1, duplicates: 2 });
    const reasons = { "validate/constraint.min": 1, "duplicate/in_warehouse": 1, "duplicate/in_batch": 1 };
    expect(replay.byReason).toEqual(reasons);
    expect(unaccounted(replay)).toBe(0);
    expect(replay).toMatchObject({ replayOf: batch.runId, deadLettersUpdated: 7, notReplayable: {} });
    expect(await eventIds(warehouse)).toEqual([...before, "avro-0", "csv-late-1", "late-1", "twice-1"].sort());
    expect(await jobRun(warehouse, replay.runId)).toEqual({ job: "replay", status: "finished", ...counts(replay) });

    const dead = await deadLetters(warehouse, batch.runId);
    expect(dead.filter((d) => d.outcome !== null).every((d) => d.replayedBy === replay.runId)).toBe(true);
    const [again] = await rows(warehouse, "SELECT errorMessage FROM dead_letters WHERE replayOutcome = 'failed_again'");
    expect(again.errorMessage).toMatch(/^distance: /); // the new reason, in place of "delay: must be at most 2880"
    expect(dead.map((d) => [d.file, d.line, d.reason, d.outcome])).toEqual([
      ["events.avro", 1, "validate/constraint.max", "written"],
      ["events.avro", expect.any(Number), "decode/corrupt_avro_block", null],
      ["events.csv", 3, "validate/constraint.max", "written"],
      ["events.jsonl", 2, "validate/constraint.max", "written"],
      ["events.jsonl", 3, "validate/constraint.min", "failed_again"],
      ["events.jsonl", 4, "decode/malformed_json", null],
      ["events.jsonl", 5, "validate/constraint.max", "duplicate"],
      ["events.jsonl", 6, "validate/constraint.max", "written"],
      ["events.jsonl", 7, "validate/constraint.max", "duplicate"],
      ["events.jsonl", 8, "decode/record_too_large", null],
      ["events.jsonl", 9, "validate/constraint.pattern", null],
    ]);
    // The fixture's stream run was not asked for: its dead letters are untouched.
    expect((await deadLetters(warehouse, "stream-reason")).every((d) => d.outcome === null)).toBe(true);
  } finally {
    await warehouse.close();
  }
});

test("a whole run: each record lands once, a new failure keeps its reason, a replay again adds nothing", async () => {
  const { warehouse, batch } = await openWithDeadLetters("all");
  try {
    const live = () => count(warehouse, `SELECT count(*) FROM dead_letters WHERE ${LIVE}`);
    const deadRows = () => count(warehouse, "SELECT count(*) FROM dead_letters");
    const [rowsBefore, eventsBefore] = [await deadRows(), (await eventIds(warehouse)).length];

    const replay = await replayFixed(warehouse, { runId: batch.runId });
    // All but the oversized record and the corrupt Avro block; the late Avro record (one) included.
    const replayable = JSONL.length + CSV.length - tally([...JSONL, ...CSV], 1).written - 1 + 1;
    expect(counts(replay)).toEqual({ read: replayable, written: 4, deadLettered: 3, duplicates: 2 });
    expect(replay.notReplayable).toEqual({ "decode/record_too_large": 1, "decode/corrupt_avro_block": 1 });
    expect((await eventIds(warehouse)).length).toBe(eventsBefore + 4);
    expect(await deadRows()).toBe(rowsBefore); // updated in place, none appended
    const failedAgain = (await deadLetters(warehouse, batch.runId)).filter((d) => d.outcome === "failed_again");
    const newReasons = ["decode/malformed_json", "validate/constraint.min", "validate/constraint.pattern"];
    expect(failedAgain.map((d) => d.reason).sort()).toEqual(newReasons);

    // Nothing counted twice, nothing lost: each record the run read is now an event, a live dead letter (its records)
    // or a dead letter settled as a duplicate of an event.
    const runs = [batch.runId, replay.runId];
    const events = await count(warehouse, "SELECT count(*) FROM flights WHERE _run_id IN ($1, $2)", runs);
    const ofRun = "FROM dead_letters WHERE runId = $1";
    const liveRecords = await count(warehouse, `SELECT sum(records) ${ofRun} AND ${LIVE}`, [batch.runId]);
    const duplicate = `SELECT count(*) ${ofRun} AND replayOutcome = 'duplicate'`;
    const settledDuplicates = await count(warehouse, duplicate, [batch.runId]);
    expect(events + liveRecords + settledDuplicates).toBe(batch.read);

    const liveBefore = await live();
    const again = await replayFixed(warehouse, { runId: batch.runId });
    expect(counts(again)).toEqual({ read: 3, written: 0, deadLettered: 3, duplicates: 0 });
    expect(again.notReplayable).toEqual(replay.notReplayable);
    expect((await eventIds(warehouse)).length).toBe(eventsBefore + 4);
    expect(await deadRows()).toBe(rowsBefore);
    expect(await live()).toBe(liveBefore);
    expect(await jobRun(warehouse, again.runId)).toEqual({ job: "replay", status: "finished", ...counts(again) });
  } finally {
    await warehouse.close();
  }
});

test("chunk by chunk: each chunk commits its own rows; a duplicate of an earlier chunk is in the table", async () => {
  const { warehouse, batch } = await openWithDeadLetters("chunks");
  try {
    const replay = await replayFixed(warehouse, { runId: batch.runId, reason: "constraint.max", chunkBytes: 1 });
    expect(counts(replay)).toEqual({ read: 7, written: 4, deadLettered: 1, duplicates: 2 });
    expect(replay.byReason).toEqual({ "validate/constraint.min": 1, "duplicate/in_warehouse": 2 });
    expect(await jobRun(warehouse, replay.runId)).toEqual({ job: "replay", status: "finished", ...counts(replay) });
    expect(await count(warehouse, "SELECT count(*) FROM dead_letters WHERE replayedBy = $1", [replay.runId])).toBe(7);
  } finally {
    await warehouse.close();
  }
});

test("Pub/Sub dead letters replay from their messages: an exhausted delivery starts over, and lands", async () => {
  const { warehouse } = await openWithDeadLetters("messages");
  try {
    const replay = await replayFixed(warehouse, { runId: "stream-messages" });
    expect(counts(replay)).toEqual({ read: 3, written: 2, deadLettered: 1, duplicates: 0 });
    const dead = await deadLetters(warehouse, "stream-messages");
    const outcomes = [
      ["m-2", "written"],
      ["m-3", "written"],
      ["m-4", "failed_again"],
    ];
    expect(dead.map((d) => [d.message, d.outcome])).toEqual(outcomes);
    const sql = "SELECT _source FROM flights WHERE event_id IN ('msg-late-1', 'msg-tired-1') ORDER BY event_id";
    expect((await rows(warehouse, sql)).map((r) => r._source)).toEqual([`${SUBSCRIPTION}#m-2`, `${SUBSCRIPTION}#m-3`]);
  } finally {
    await warehouse.close();
  }
});

test("rox replay: flags in, the summary out and recorded; a run without dead letters is an input error", async () => {
  const { warehouse, batch } = await openWithDeadLetters("cli");
  await warehouse.close();
  const file = path.join(work.dir, "cli.duckdb");
  const summaryFile = path.join(work.dir, "replay-summary.json");
  const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    const since = batch.startedAt.slice(0, 10);
    const choose = ["--run", batch.runId, "--reason", "validate/constraint.max", "--since", since];
    const fix = ["--schemas-dir", fixedSchemas, "--max-record-bytes", String(MAX_RECORD_BYTES)];
    await runCli(["replay", ...choose, ...fix, "--warehouse", file, "--summary", summaryFile]);
    const printed = log.mock.calls.map((c) => String(c[0])).join("\n");
    expect(printed).toMatch(/reconciles\s+yes/);
    expect(printed).toMatch(new RegExp(`replay of\\s+${batch.runId}`));
    const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
    expect(counts(summary)).toEqual({ read: 7, written: 4, deadLettered: 1, duplicates: 2 });
    const unknownRun = runCli(["replay", "--run", "no-such-run", "--warehouse", file]);
    await expect(unknownRun).rejects.toMatchObject({ name: "InputError" });
    const badSince = runCli(["replay", "--run", batch.runId, "--since", "yesterday", "--warehouse", file]);
    await expect(badSince).rejects.toMatchObject({ name: "UsageError" });
  } finally {
    log.mockRestore();
  }
});
