import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { runReplayJob } from "../../pipelines/replay-job";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { itNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { MAX_RECORD_BYTES, runStreamBatch, writeBatchInput, writeFixedSchema } from "../pipelines/replay-fixture";

// Issue 9, item 16 on BigQuery (bqemulator), through the same warehouse port as DuckDB: a batch run and a streaming
// micro-batch leave dead letters of several classes; after a fix, `rox replay` lands what now passes exactly once,
// settles those dead letters in place, keeps the new reason of what fails again; a second replay adds nothing.
jest.setTimeout(300_000);

const it_ = itNeeds("bigquery-emulator");
const bq = useBigQueryEmulator();
const DATASET = "rox_replay";
let work: ReturnType<typeof tempDir>;

beforeAll(() => void (work = tempDir("replay-bq")));
afterAll(() => work.cleanup());

const counts = ({ read, written, deadLettered, duplicates }: JobSummary) => ({
  read,
  written,
  deadLettered,
  duplicates,
});
const inBigQuery = <T>(read: (warehouse: BigQueryWarehouse) => Promise<T>): Promise<T> =>
  inEmulatorDataset(bq.emulator!, DATASET, read);

it_("replay on BigQuery: records land once, settled in place, no rerun adds", async () => {
  expect(bq.emulator).toBeDefined(); // installed, so it must start (its reason is printed above if not)
  const input = path.join(work.dir, "input");
  await writeBatchInput(input);
  const limits = { maxRecordBytes: MAX_RECORD_BYTES, workDir: work.dir };
  const fixed = { schemasDir: writeFixedSchema(path.join(work.dir, "fixed")), ...limits };
  const replayFixed = (options: { runId: string; reason?: string }) =>
    inBigQuery((warehouse) => runReplayJob({ ...fixed, ...options }, warehouse));
  const batch = await inBigQuery(async (warehouse) => {
    const summary = await runBatchJob({ input, schema: "flights", ...limits }, warehouse);
    await runStreamBatch(warehouse, path.join(work.dir, "stream"), "stream-bq");
    return summary;
  });
  const tables = async (warehouse: BigQueryWarehouse) => {
    const [events] = await warehouse.query("SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM flights");
    const live = "countif(replayOutcome IS NULL OR replayOutcome = 'failed_again')";
    const [dead] = await warehouse.query(`SELECT count(*) AS n, ${live} AS live FROM dead_letters`);
    return { events: Number(events.n), ids: Number(events.ids), deadLetters: Number(dead.n), live: Number(dead.live) };
  };
  const before = await inBigQuery(tables);

  const replay = await replayFixed({ runId: batch.runId, reason: "constraint.max" });
  expect(counts(replay)).toEqual({ read: 7, written: 4, deadLettered: 1, duplicates: 2 });
  expect(unaccounted(replay)).toBe(0);
  const all = await replayFixed({ runId: batch.runId });
  expect(counts(all)).toEqual({ read: 3, written: 0, deadLettered: 3, duplicates: 0 });
  expect(all.notReplayable).toEqual({ "decode/record_too_large": 1, "decode/corrupt_avro_block": 1 });
  const messages = await replayFixed({ runId: "stream-bq" });
  expect(counts(messages)).toEqual({ read: 3, written: 2, deadLettered: 1, duplicates: 0 });

  const after = await inBigQuery(tables);
  // Six records land (late-1, twice-1, csv-late-1, avro-0, msg-late-1, msg-tired-1); eight dead letters are settled.
  const { events, ids, deadLetters, live } = before;
  expect(after).toEqual({ events: events + 6, ids: ids + 6, deadLetters, live: live - 8 });
  await inBigQuery(async (warehouse) => {
    const reason = "errorStage || '/' || errorClass";
    const outcomes = await warehouse.query(`SELECT replayOutcome AS outcome, ${reason} AS reason, count(*) AS n
      FROM dead_letters WHERE replayOutcome IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(outcomes.map((r) => [r.outcome, r.reason, Number(r.n)])).toEqual([
      ["duplicate", "validate/constraint.max", 2],
      ["failed_again", "decode/malformed_json", 1],
      ["failed_again", "validate/constraint.min", 1],
      ["failed_again", "validate/constraint.pattern", 2],
      ["written", "read/delivery_attempts_exhausted", 1],
      ["written", "validate/constraint.max", 5],
    ]);
    const runs = await warehouse.query("SELECT * FROM job_runs WHERE job = 'replay' ORDER BY startedAt, runId");
    const expected = [replay, all, messages].map((s) => ({ runId: s.runId, status: "finished", ...counts(s) }));
    expect(runs.map((r) => ({ runId: r.runId, status: r.status, ...counts(numbers(r)) }))).toEqual(expected);
  });

  const again = await replayFixed({ runId: batch.runId });
  expect(counts(again)).toEqual({ read: 3, written: 0, deadLettered: 3, duplicates: 0 });
  expect(await inBigQuery(tables)).toEqual(after);
});

function numbers(row: Record<string, unknown>): JobSummary {
  const [read, written, deadLettered] = [row.read, row.written, row.deadLettered].map(Number);
  const duplicates = Number(row.duplicates);
  return { read, written, deadLettered, duplicates } as JobSummary;
}
