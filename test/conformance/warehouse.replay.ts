/** Conformance cases of a replay: exporting a run's live dead letters, and a replay chunk's in-place update of them. */
import * as fs from "fs";
import * as path from "path";
import { readJsonLines } from "../../io/files/json-lines";
import type { Warehouse } from "../../io/ports";
import type { DeadLetterSelection, ReplayOutcome, SettledDeadLetter, StoredDeadLetter } from "../../transforms/replay";
import type { Case } from "./warehouse.suite";
import { contract, summaryOf, writeChunk, type ChunkInput } from "./warehouse.chunks";
import { eventRows, jobRuns, replayedDeadLetters, snapshot } from "./warehouse.read-back";

const INVALID_UTF8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
const DEAD_AT = Date.parse("2001-02-01T00:00:00.000Z"); // the chunk writer's dead-letter timestamp
const URI = "test://flights.jsonl";
const original: ChunkInput = {
  runId: "run-1",
  events: [{ id: "a-1", at: "2001-01-01T10:00:00Z", origin: "SFO", delay: 5 }],
  deadLetters: [{ line: 3 }, { line: 7, bytes: INVALID_UTF8 }, { line: 8, errorClass: "constraint.max" }],
};
const other: ChunkInput = { runId: "run-2", events: [], deadLetters: [{ line: 99 }] };

async function exported(wh: Warehouse, dir: string, selection: DeadLetterSelection) {
  const out = path.join(dir, `export-${Math.random().toString(16).slice(2)}.jsonl`);
  const found = await wh.exportDeadLetters(selection, out);
  const rows = [...readJsonLines(out)] as unknown as StoredDeadLetter[];
  expect(rows).toHaveLength(found.rows);
  return { ...found, lines: rows.map((r) => r.sourceLine), exported: rows };
}

const TYPE_INT = "delay: expected an int, got a string"; // the chunk writer's dead-letter message
const REPLAYED_AT = "2001-02-02T00:00:00.000Z";
const NEW_REASON = "delay: now type.long";

function settled(line: number, selectedClass: string, outcome: ReplayOutcome, errorClass = selectedClass) {
  const errorMessage = outcome === "failed_again" ? `delay: now ${errorClass}` : TYPE_INT;
  const row = { runId: "run-1", sourceUri: URI, sourceLine: line, messageId: null, selectedClass };
  const stage = { errorStage: "validate" };
  const replay = { replayedBy: "replay-1", replayedAt: REPLAYED_AT, replayOutcome: outcome };
  return { ...row, ...stage, errorClass, errorMessage, ...replay } satisfies SettledDeadLetter;
}

/** A replay chunk of run-1: one event lands (line 3), line 7 fails again with a new reason, line 8 was a duplicate. */
async function commitReplay(wh: Warehouse, dir: string, rows: number): Promise<void> {
  const event = { id: "r-3", at: "2001-01-01T11:00:00Z", origin: "JFK", delay: 7 };
  const replay: ChunkInput = { runId: "replay-1", events: [event] };
  const chunk = writeChunk(contract, dir, replay);
  const file = path.join(dir, "settled.jsonl");
  const updates = [
    settled(3, "type.int", "written"),
    settled(7, "type.int", "failed_again", "type.long"),
    settled(8, "constraint.max", "duplicate"),
  ];
  fs.writeFileSync(file, updates.map((u) => JSON.stringify(u) + "\n").join(""));
  fs.writeFileSync(chunk.deadLetters, "");
  const prepared = await wh.prepareChunk(contract, chunk, path.join(dir, "fresh.jsonl"), { replace: false });
  const summary = { ...summaryOf(replay, 1), job: "replay", read: 3, deadLettered: 1, duplicates: 1 };
  await prepared.commit({ ...chunk, replayed: { path: file, rows } }, () => summary); // a failed commit undoes itself
}

export const replayCases: Record<string, Case> = {
  "a run's live dead letters are exported by run, reason and time, as base64": async ({ warehouse, dir, land }) => {
    await land(warehouse, original);
    await land(warehouse, other);
    const all = await exported(warehouse, dir, { runId: "run-1" });
    expect(all).toMatchObject({ rows: 3, runSchemas: ["flights"], lines: [3, 7, 8] });
    const bytes = INVALID_UTF8.toString("base64");
    const source = { runId: "run-1", schemaName: "flights", sourceUri: URI, messageId: null, records: 1 };
    const reason = { errorStage: "validate", errorClass: "type.int", errorMessage: TYPE_INT };
    expect(all.exported[1]).toMatchObject({ ...source, ...reason, payloadBytes: bytes, attributes: null });
    const text = '{"event_id": "bad-3", "delay": "late"}';
    expect(all.exported[0]).toMatchObject({ payloadString: text, payloadBytes: null });
    const lines = async (selection: Omit<DeadLetterSelection, "runId">) =>
      (await exported(warehouse, dir, { runId: "run-1", ...selection })).lines;
    expect(await lines({ reason: "constraint.max" })).toEqual([8]);
    expect(await lines({ reason: "validate/type.int" })).toEqual([3, 7]);
    expect(await lines({ reason: "decode/type.int" })).toEqual([]);
    expect(await lines({ sinceMs: DEAD_AT })).toEqual([3, 7, 8]);
    expect(await lines({ sinceMs: DEAD_AT + 1 })).toEqual([]);
    // Values are bound: a run id with a quote is just a run without dead letters.
    expect(await exported(warehouse, dir, { runId: "run-1' OR '1'='1" })).toMatchObject({ rows: 0, runSchemas: [] });
  },

  "a replay chunk lands its events and updates the dead letters it replayed in its commit; a stale one changes nothing":
    async ({ warehouse, dialect, dir, land }) => {
      await land(warehouse, original);
      await land(warehouse, other);
      await commitReplay(warehouse, path.join(dir, "replay"), 3);
      expect((await eventRows(warehouse, dialect)).map((e) => e.id)).toEqual(["a-1", "r-3"]);
      const dead = await replayedDeadLetters(warehouse, dialect);
      const by = { replayedBy: "replay-1", replayedAtMs: Date.parse(REPLAYED_AT) };
      const never = { replayedBy: null, replayedAtMs: null };
      expect(dead).toEqual([
        { sourceLine: 3, errorClass: "type.int", errorMessage: TYPE_INT, replayOutcome: "written", ...by },
        { sourceLine: 7, errorClass: "type.long", errorMessage: NEW_REASON, replayOutcome: "failed_again", ...by },
        { sourceLine: 8, errorClass: "constraint.max", errorMessage: TYPE_INT, replayOutcome: "duplicate", ...by },
        { sourceLine: 99, errorClass: "type.int", errorMessage: TYPE_INT, replayOutcome: null, ...never },
      ]);
      const run = (await jobRuns(warehouse, dialect)).find((r) => r.run === "replay-1");
      expect(run).toEqual({ run: "replay-1", read: 3, written: 1, deadLettered: 1, duplicates: 1 });
      // Only what failed again is still live.
      const live = (await exported(warehouse, dir, { runId: "run-1" })).exported;
      expect(live).toMatchObject([{ sourceLine: 7, errorClass: "type.long" }]);
      // The same update again (a second replay that selected them before the first committed) must not land.
      const before = await snapshot(warehouse, dialect);
      await expect(commitReplay(warehouse, path.join(dir, "stale"), 3)).rejects.toThrow(/still live|changed since/);
      expect(await snapshot(warehouse, dialect)).toEqual(before);
      expect(await replayedDeadLetters(warehouse, dialect)).toEqual(dead);
    },
};
