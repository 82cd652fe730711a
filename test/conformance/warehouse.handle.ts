/** Conformance cases on the prepared chunk's handle: used once, an abort leaves nothing, a failed prepare holds nothing. */
import * as path from "path";
import { ChunkHandleUsedError } from "../../io/prepared-chunk";
import type { Warehouse } from "../../io/ports";
import type { Case } from "./warehouse.suite";
import type { ChunkInput } from "./warehouse.chunks";
import { contract, summaryOf, writeChunk } from "./warehouse.chunks";
import { eventRows, jobRuns, snapshot } from "./warehouse.read-back";

const at = (day: string, hour: number) => `${day}T${String(hour).padStart(2, "0")}:00:00Z`;
const first: ChunkInput = {
  runId: "run-1",
  events: [0, 1, 2].map((i) => ({ id: `h-${i}`, at: at("2001-02-01", 10 + i), origin: "SFO", delay: i })),
  deadLetters: [{ line: 4 }],
};
const second: ChunkInput = {
  runId: "run-2",
  events: [0, 1].map((i) => ({ id: `k-${i}`, at: at("2001-02-01", 12 + i), origin: "JFK", delay: 20 + i })),
  deadLetters: [{ line: 9 }],
};

/** Stages `input` in its own folder and prepares it (no replace). */
async function prepare(wh: Warehouse, dir: string, input: ChunkInput) {
  const chunk = writeChunk(contract, dir, input);
  const prepared = await wh.prepareChunk(contract, chunk, path.join(dir, "fresh.jsonl"), { replace: false });
  return { chunk, prepared };
}

export const handleCases: Record<string, Case> = {
  "a committed handle is closed: a second commit, an abort or a query is refused and changes nothing": async ({
    warehouse,
    dialect,
    dir,
  }) => {
    const { chunk, prepared } = await prepare(warehouse, path.join(dir, "one"), first);
    expect(prepared.open).toBe(true);
    const report = await prepared.commit(chunk, (r) => summaryOf(first, r.eventsWritten));
    expect(report).toMatchObject({ eventsWritten: 3, deadLettersWritten: 1 });
    expect(prepared.open).toBe(false);
    const after = await snapshot(warehouse, dialect);
    await expect(prepared.commit(chunk)).rejects.toThrow(ChunkHandleUsedError);
    await expect(prepared.abort()).rejects.toThrow(ChunkHandleUsedError);
    await expect(prepared.query("SELECT 1 AS one")).rejects.toThrow(ChunkHandleUsedError);
    expect(await snapshot(warehouse, dialect)).toEqual(after);
    expect((await jobRuns(warehouse, dialect)).map((r) => r.run)).toEqual(["run-1"]);
  },

  "an aborted handle leaves nothing and refuses a second use; a new prepare of the same chunk lands it": async ({
    warehouse,
    dialect,
    dir,
    land,
  }) => {
    await land(warehouse, first);
    const before = await snapshot(warehouse, dialect);
    const aborted = await prepare(warehouse, path.join(dir, "aborted"), second);
    expect(aborted.prepared.report).toEqual({ staged: 2, fresh: 2, alreadyPresent: 0, replacedPartitions: [] });
    await aborted.prepared.abort();
    expect(aborted.prepared.open).toBe(false);
    await expect(aborted.prepared.abort()).rejects.toThrow(ChunkHandleUsedError);
    await expect(aborted.prepared.commit(aborted.chunk)).rejects.toThrow(ChunkHandleUsedError);
    expect(await snapshot(warehouse, dialect)).toEqual(before);
    const again = await prepare(warehouse, path.join(dir, "again"), second);
    expect(again.prepared.report).toMatchObject({ staged: 2, fresh: 2 });
    await again.prepared.commit(again.chunk, (r) => summaryOf(second, r.eventsWritten));
    const ids = (await eventRows(warehouse, dialect)).map((r) => r.id);
    expect(ids).toEqual(["h-0", "h-1", "h-2", "k-0", "k-1"]);
    expect((await jobRuns(warehouse, dialect)).map((r) => r.run)).toEqual(["run-1", "run-2"]);
  },

  "a handle's query reads the warehouse while its chunk is open": async ({ warehouse, dialect, dir, land }) => {
    await land(warehouse, first);
    const { prepared } = await prepare(warehouse, path.join(dir, "open"), second);
    try {
      expect(await eventRows(prepared, dialect)).toEqual(await eventRows(warehouse, dialect));
    } finally {
      await prepared.abort();
    }
  },

  "a prepare that fails holds nothing: the next prepare of the warehouse lands": async ({
    warehouse,
    dialect,
    dir,
  }) => {
    const broken = writeChunk(contract, path.join(dir, "broken"), first);
    const missing = { ...broken, events: path.join(dir, "broken", "no-such-events.jsonl") };
    const fresh = path.join(dir, "broken", "fresh.jsonl");
    await expect(warehouse.prepareChunk(contract, missing, fresh, { replace: false })).rejects.toThrow();
    const { chunk, prepared } = await prepare(warehouse, path.join(dir, "next"), first);
    await prepared.commit(chunk, (r) => summaryOf(first, r.eventsWritten));
    expect((await eventRows(warehouse, dialect)).map((r) => r.id)).toEqual(["h-0", "h-1", "h-2"]);
  },
};
