import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { runReplayJob } from "../../pipelines/replay-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { run as runCli } from "../../launcher/main";
import { tempDir } from "../support/temp";
import { CSV, JSONL, MAX_RECORD_BYTES, MESSAGES, runStreamBatch, tally, writeBatchInput, writeFixedSchema } from "./replay-fixture";

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

async function rows(warehouse: DuckDbWarehouse, sql: string, params: unknown[] = []): Promise<Row[]> {
  return warehouse.query(sql, params);
}

async function deadLetters(warehouse: DuckDbWarehouse, runId: string): Promise<Row[]> {
  const sql = `SELECT sourceUri AS file, sourceLine AS line, messageId AS message, errorStage || '/' || errorClass AS reason,
               replayOutcome AS outcome, replayedBy FROM dead_letters WHERE runId = $1 ORDER BY sourceUri, sourceLine, messageId`;
  const found = await rows(warehouse, sql, [runId]);
  return found.map((r) => ({ ...r, file: path.basename(String(r.file)), line: r.line === null ? null : Number(r.line) }));
}

async function eventIds(warehouse: DuckDbWarehouse): Promise<string[]> {
  return (await rows(warehouse, "SELECT event_id FROM flights ORDER BY event_id")).map((r) => String(r.event_id));
}

async function jobRun(warehouse: DuckDbWarehouse, runId: string): Promise<Row> {
  const [row] = await rows(warehouse, `SELECT job, status, "read", written, "deadLettered", duplicates FROM job_runs WHERE "runId" = $1`, [runId]);
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, ["job", "status"].includes(k) ? v : Number(v)]));
}

function counts(s: JobSummary): Row {
  return { read: s.read, written: s.written, deadLettered: s.deadLettered, duplicates: s.duplicates };
}

/** Each warehouse of a test starts from the same batch run and streaming micro-batch. */
async function openWithDeadLetters(name: string): Promise<{ warehouse: DuckDbWarehouse; batch: JobSummary }> {
  const warehouse = await DuckDbWarehouse.open(path.join(work.dir, `${name}.duckdb`));
  const batch = await runBatchJob({ input, schema: "flights", workDir: work.dir, maxRecordBytes: MAX_RECORD_BYTES }, warehouse);
  await runStreamBatch(warehouse, path.join(work.dir, `${name}-stream`), `stream-${name}`);
  return { warehouse, batch };
}

/** The fix (a relaxed constraint in a new version of the schema), and the record limit of the first run. */
const fixed = () => ({ schemasDir: fixedSchemas, maxRecordBytes: MAX_RECORD_BYTES, workDir: work.dir });

test("the first run dead-letters what the fixture says", async () => {
  const { warehouse, batch } = await openWithDeadLetters("first");
  try {
    const { written = 0, ...reasons } = tally([...JSONL, ...CSV], 1);
    expect(batch.written).toBe(written + avro.avroRecords - avro.corruptBlockRecords - 1);
    const late = reasons["validate/constraint.max"] + 1; // and the first Avro record
    expect(batch.byReason).toEqual({ ...reasons, "validate/constraint.max": late, "decode/corrupt_avro_block": avro.corruptBlockRecords });
  } finally {
    await warehouse.close();
  }
});

test("--reason and --since choose the dead letters: only those are fed again, and what lands is written once", async () => {
  const { warehouse, batch } = await openWithDeadLetters("reason");
  try {
    const before = await eventIds(warehouse);
    const future = await runReplayJob({ runId: batch.runId, sinceMs: Date.now() + 3600_000, ...fixed() }, warehouse);
    expect(counts(future)).toEqual({ read: 0, written: 0, deadLettered: 0, duplicates: 0 });
    expect(await eventIds(warehouse)).toEqual(before);

    const replay = await runReplayJob({ runId: batch.runId, reason: "constraint.max", sinceMs: Date.parse(batch.startedAt), ...fixed() }, warehouse);
    // late-1, late-far-1, ok-1 again, twice-1 twice, csv-late-1, avro-0: four land, one fails again, two are duplicates.
    expect(counts(replay)).toEqual({ read: 7, written: 4, deadLettered: 1, duplicates: 2 });
    expect(replay.byReason).toEqual({ "validate/constraint.min": 1, "duplicate/in_warehouse": 1, "duplicate/in_batch": 1 });
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

test("replaying a whole run: each record lands once, what fails again keeps its new reason, a second replay adds nothing", async () => {
  const { warehouse, batch } = await openWithDeadLetters("all");
  try {
    const live = async () => Number((await rows(warehouse, "SELECT count(*) AS n FROM dead_letters WHERE replayOutcome IS NULL OR replayOutcome = 'failed_again'"))[0].n);
    const deadRows = async () => Number((await rows(warehouse, "SELECT count(*) AS n FROM dead_letters"))[0].n);
    const [rowsBefore, eventsBefore] = [await deadRows(), (await eventIds(warehouse)).length];

    const replay = await runReplayJob({ runId: batch.runId, ...fixed() }, warehouse);
    // All but the oversized record and the corrupt Avro block; the late Avro record (one) included.
    const replayable = JSONL.length + CSV.length - tally([...JSONL, ...CSV], 1).written - 1 + 1;
    expect(counts(replay)).toEqual({ read: replayable, written: 4, deadLettered: 3, duplicates: 2 });
    expect(replay.notReplayable).toEqual({ "decode/record_too_large": 1, "decode/corrupt_avro_block": 1 });
    expect((await eventIds(warehouse)).length).toBe(eventsBefore + 4);
    expect(await deadRows()).toBe(rowsBefore); // updated in place, none appended
    expect((await deadLetters(warehouse, batch.runId)).filter((d) => d.outcome === "failed_again").map((d) => d.reason).sort()).toEqual(
      ["decode/malformed_json", "validate/constraint.min", "validate/constraint.pattern"],
    );

    // Nothing counted twice, nothing lost: each record the run read is now an event, a live dead letter (its records)
    // or a dead letter settled as a duplicate of an event.
    const sql = `SELECT (SELECT count(*) FROM flights WHERE _run_id IN ($1, $2)) AS events,
                        (SELECT sum(records) FROM dead_letters WHERE runId = $1 AND (replayOutcome IS NULL OR replayOutcome = 'failed_again')) AS live,
                        (SELECT count(*) FROM dead_letters WHERE runId = $1 AND replayOutcome = 'duplicate') AS duplicates`;
    const [where] = await rows(warehouse, sql, [batch.runId, replay.runId]);
    expect(Number(where.events) + Number(where.live) + Number(where.duplicates)).toBe(batch.read);
    const liveBefore = await live();
    const again = await runReplayJob({ runId: batch.runId, ...fixed() }, warehouse);
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

test("chunk by chunk: each chunk commits its own rows, and a duplicate in an earlier chunk is found in the table", async () => {
  const { warehouse, batch } = await openWithDeadLetters("chunks");
  try {
    const replay = await runReplayJob({ runId: batch.runId, reason: "constraint.max", ...fixed(), chunkBytes: 1 }, warehouse);
    expect(counts(replay)).toEqual({ read: 7, written: 4, deadLettered: 1, duplicates: 2 });
    expect(replay.byReason).toEqual({ "validate/constraint.min": 1, "duplicate/in_warehouse": 2 });
    expect(await jobRun(warehouse, replay.runId)).toEqual({ job: "replay", status: "finished", ...counts(replay) });
    const settled = await rows(warehouse, "SELECT count(*) AS n FROM dead_letters WHERE replayedBy = $1", [replay.runId]);
    expect(Number(settled[0].n)).toBe(7);
  } finally {
    await warehouse.close();
  }
});

test("Pub/Sub dead letters replay from their messages: an exhausted delivery starts over, and lands", async () => {
  const { warehouse } = await openWithDeadLetters("messages");
  try {
    const replay = await runReplayJob({ runId: "stream-messages", ...fixed() }, warehouse);
    expect(counts(replay)).toEqual({ read: 3, written: 2, deadLettered: 1, duplicates: 0 });
    const dead = await deadLetters(warehouse, "stream-messages");
    expect(dead.map((d) => [d.message, d.outcome])).toEqual([["m-2", "written"], ["m-3", "written"], ["m-4", "failed_again"]]);
    const sources = await rows(warehouse, "SELECT _source FROM flights WHERE event_id IN ('msg-late-1', 'msg-tired-1') ORDER BY event_id");
    expect(sources.map((r) => r._source)).toEqual(["pubsub://projects/rox-test/subscriptions/flights#m-2", "pubsub://projects/rox-test/subscriptions/flights#m-3"]);
    expect(MESSAGES.filter(([, , after]) => after === "written")).toHaveLength(2);
  } finally {
    await warehouse.close();
  }
});

test("rox replay: flags in, the summary out and recorded; a run without dead letters is a clear input error", async () => {
  const { warehouse, batch } = await openWithDeadLetters("cli");
  await warehouse.close();
  const file = path.join(work.dir, "cli.duckdb");
  const summaryFile = path.join(work.dir, "replay-summary.json");
  const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    const args = ["replay", "--run", batch.runId, "--reason", "validate/constraint.max", "--since", batch.startedAt.slice(0, 10), "--warehouse", file];
    await runCli([...args, "--schemas-dir", fixedSchemas, "--max-record-bytes", String(MAX_RECORD_BYTES), "--summary", summaryFile]);
    const printed = log.mock.calls.map((c) => String(c[0])).join("\n");
    expect(printed).toMatch(/reconciles\s+yes/);
    expect(printed).toMatch(new RegExp(`replay of\\s+${batch.runId}`));
    const summary = JSON.parse(require("fs").readFileSync(summaryFile, "utf8"));
    expect(counts(summary)).toEqual({ read: 7, written: 4, deadLettered: 1, duplicates: 2 });
    await expect(runCli(["replay", "--run", "no-such-run", "--warehouse", file])).rejects.toMatchObject({ name: "InputError" });
    await expect(runCli(["replay", "--run", batch.runId, "--since", "yesterday", "--warehouse", file])).rejects.toMatchObject({ name: "UsageError" });
  } finally {
    log.mockRestore();
  }
});
