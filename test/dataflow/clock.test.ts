/**
 * The run's clock on the DirectRunner: the shared ingest DoFns (transforms/beam/ingest.ts) stamp `_ingested_at` and
 * dead letters, and bound event times by `now+1d`, with the processing time when the graph is built with the live
 * clock (the Dataflow graphs), and with the fixed instant the local jobs pass otherwise.
 */
import * as fs from "fs";
import * as path from "path";
import { ingestPipeline } from "../../pipelines/ingest-pipeline";
import { runDirect } from "../../pipelines/direct";
import { stagedFileSinks, type StagedPaths } from "../../pipelines/sinks";
import { failedRowToDeadLetter } from "../../pipelines/dataflow/ingest-steps";
import { planSplits } from "../../io/files/splits";
import { readJsonLines } from "../../io/files/json-lines";
import { LIVE_CLOCK, type RunClockMs } from "../../transforms/beam/clock";
import { tempDir } from "../support/temp";

const work = tempDir("clock");
afterAll(() => work.cleanup());

const HOUR_MS = 3_600_000;
const FIXED_MS = Date.parse("2001-02-01T00:00:00Z");
const FIXED = new Date(FIXED_MS).toISOString();

interface RunOutput {
  events: Record<string, unknown>[];
  deadLetters: Record<string, unknown>[];
}

/** Flights: one departing 12 h after `soonMs` (valid only if now is about `soonMs`), one in 2001, one malformed line. */
function writeInput(dir: string, soonMs: number): string {
  const flight = (id: string, date: string) =>
    JSON.stringify({ event_id: id, date, delay: 3, distance: 400, origin: "ABQ", destination: "DAL" });
  const file = path.join(dir, "flights.jsonl");
  fs.writeFileSync(
    file,
    [flight("soon", new Date(soonMs + 12 * HOUR_MS).toISOString()), flight("old", "2001-01-01T06:05:00Z"), "{"].join(
      "\n",
    ) + "\n",
  );
  return file;
}

async function runIngest(name: string, nowMs: RunClockMs, soonMs: number): Promise<RunOutput> {
  const dir = path.join(work.dir, name);
  fs.mkdirSync(dir);
  const manifest = path.join(dir, "manifest.json");
  fs.writeFileSync(manifest, JSON.stringify(planSplits(writeInput(dir, soonMs), "jsonl")));
  const paths: StagedPaths = {
    events: path.join(dir, "events.jsonl"),
    deadLetters: path.join(dir, "dead.jsonl"),
    duplicates: path.join(dir, "duplicates.jsonl"),
    windowPartials: (window) => path.join(dir, `window-${window}.jsonl`),
  };
  for (const file of [paths.events, paths.deadLetters, paths.duplicates]) fs.writeFileSync(file, "");
  const options = {
    schema: "flights",
    jobName: "clock-test",
    runId: name,
    nowMs,
    source: { kind: "files" as const, manifest },
    maxRecordBytes: 1 << 20,
    windows: [],
  };
  await runDirect(ingestPipeline(options, stagedFileSinks(paths)));
  return { events: [...readJsonLines(paths.events)], deadLetters: [...readJsonLines(paths.deadLetters)] };
}

const ids = (rows: Record<string, unknown>[], column: string) => rows.map((row) => row[column]).sort();

test("built with the live clock, the DoFns stamp and bound with the processing time", async () => {
  const before = Date.now();
  const out = await runIngest("live", LIVE_CLOCK, before);
  const after = Date.now();
  // "soon" is within now+1d of the processing time, so it is an event, not a constraint violation.
  expect(ids(out.events, "event_id")).toEqual(["old", "soon"]);
  expect(ids(out.deadLetters, "errorClass")).toEqual(["malformed_json"]);
  const stamps = [...out.events.map((row) => row._ingested_at), ...out.deadLetters.map((row) => row.timestamp)].map(
    (iso) => Date.parse(String(iso)),
  );
  for (const stamp of stamps) {
    expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamp).toBeLessThanOrEqual(after);
  }
}, 60_000);

test("built with a fixed clock, the DoFns keep its instant", async () => {
  // The same input, as of now; but the run's clock says 2001, so "soon" departs past now+1d.
  const out = await runIngest("fixed", FIXED_MS, Date.now());
  expect(ids(out.events, "event_id")).toEqual(["old"]);
  expect(ids(out.deadLetters, "errorClass")).toEqual(["constraint.max", "malformed_json"]);
  expect(out.events.map((row) => row._ingested_at)).toEqual([FIXED]);
  expect(out.deadLetters.map((row) => row.timestamp)).toEqual([FIXED, FIXED]);
}, 60_000);

test("rows BigQuery refused are dead-lettered at the run's clock", () => {
  const failed = { failed_row: { event_id: "x", _source: "gs://b/in.jsonl:3" }, error_message: "bad row" };
  const ctx = { table: "p:d.flights", schemaName: "flights", jobName: "clock-test", runId: "r" };
  expect(failedRowToDeadLetter(failed, { ...ctx, nowMs: FIXED_MS }).timestamp).toBe(FIXED);
  const before = Date.now();
  const live = Date.parse(String(failedRowToDeadLetter(failed, { ...ctx, nowMs: LIVE_CLOCK }).timestamp));
  expect(live).toBeGreaterThanOrEqual(before);
  expect(live).toBeLessThanOrEqual(Date.now());
});
