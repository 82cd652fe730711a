/** Conformance cases on landing chunks: what lands, reruns, replace, failed commits, and window merges. */
import { readJsonLines } from "../../io/files/json-lines";
import type { Case } from "./warehouse.suite";
import type { ChunkInput, Flight } from "./warehouse.chunks";
import { contract, writeChunk, flightEvent, windowPartials } from "./warehouse.chunks";
import { dayChecksums, deadLetterRows, eventRows, jobRuns, snapshot, windowRows } from "./warehouse.read-back";

const HOUR = 3600_000;

/** Three days of flights from two airports, some in the same hour (so windows hold several). */
function flights(prefix: string, days: string[], perDay = 4): Flight[] {
  return days.flatMap((day) =>
    Array.from({ length: perDay }, (_, i) => ({
      id: `${prefix}-${day}-${i}`,
      at: new Date(Date.parse(`${day}T10:00:00Z`) + Math.floor(i / 2) * HOUR + i * 60_000).toISOString(),
      origin: i % 2 === 0 ? "SFO" : "JFK",
      delay: i * 10 - 5,
    })),
  );
}

const DAYS = ["2001-01-01", "2001-01-02", "2001-01-03"];
const INVALID_UTF8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
const firstRun: ChunkInput = {
  runId: "run-1",
  events: flights("a", DAYS),
  deadLetters: [{ line: 3 }, { line: 7, bytes: INVALID_UTF8 }],
};
/** A second run over one day of the first and a new day, with a dead letter of its own. */
const failing: ChunkInput = {
  runId: "run-2",
  events: flights("f", ["2001-01-02", "2001-01-04"]),
  deadLetters: [{ line: 99 }],
};

/** The window rows the events imply, finished by the feature module (what any grouping of partials must give). */
function expectedWindows(events: Flight[]): Record<string, unknown>[] {
  const partials = windowPartials(contract, "origin_hourly", events.map(flightEvent));
  return partials
    .map((p) => {
      const flights = Number(p.flights);
      const row = {
        origin: p.origin,
        start_ms: Date.parse(String(p.window_start)),
        end_ms: Date.parse(String(p.window_end)),
      };
      return {
        ...row,
        flights,
        max_delay: p.max_delay,
        mean_delay: Number(p.delay_sum) / flights,
        delayed_share: Number(p.delayed_flights) / flights,
      };
    })
    .sort((a, b) => String(a.origin).localeCompare(String(b.origin)) || a.start_ms - b.start_ms);
}

/** Keys no SQL literal should ever carry: a quote, a backslash, a NUL (it ends a C string), a newline, an emoji. */
const HOSTILE_KEYS = ["O'X", "B\\'--", "N\u0000L", "L\nF", "😀"];

export const chunkCases: Record<string, Case> = {
  "window keys that no SQL literal could carry merge over two chunks: values are bound, not written into SQL": async ({
    warehouse,
    dialect,
    land,
  }) => {
    const at = (i: number) => new Date(Date.parse("2001-01-05T10:00:00Z") + i * 60_000).toISOString();
    const events = (prefix: string) =>
      HOSTILE_KEYS.map((origin, i) => ({ id: `${prefix}-${i}`, at: at(i), origin, delay: 20 }));
    await land(warehouse, { runId: "run-h1", events: events("h1") });
    await land(warehouse, { runId: "run-h2", events: events("h2") });
    const rows = await windowRows(warehouse, dialect);
    expect(rows.map((r) => [r.origin, r.flights]).sort()).toEqual(HOSTILE_KEYS.map((k) => [k, 2]).sort());
  },

  "a chunk lands: events, dead letters, window rows and its job run": async ({ warehouse, dialect, land }) => {
    const { prepared } = await land(warehouse, firstRun);
    expect(prepared).toEqual({ staged: 12, fresh: 12, alreadyPresent: 0, replacedPartitions: [] });
    const events = await eventRows(warehouse, dialect);
    expect(events.map((e) => e.id)).toEqual(firstRun.events.map((f) => f.id).sort());
    expect(events[0]).toMatchObject({
      id: "a-2001-01-01-0",
      ms: Date.parse("2001-01-01T10:00:00Z"),
      day: "2001-01-01",
      origin: "SFO",
      route: "SFO-LAX",
      is_delayed: false,
      hour_of_day: 10,
      run: "run-1",
    });
    expect(await deadLetterRows(warehouse, dialect)).toEqual([
      { line: 3, reason: "type.int", bytes: null, run: "run-1" },
      { line: 7, reason: "type.int", bytes: INVALID_UTF8.toString("base64"), run: "run-1" },
    ]);
    expect(await windowRows(warehouse, dialect)).toMatchObject(expectedWindows(firstRun.events));
    expect(await jobRuns(warehouse, dialect)).toEqual([
      { run: "run-1", read: 14, written: 12, deadLettered: 2, duplicates: 0 },
    ]);
  },

  "a rerun of the same chunk adds nothing": async ({ warehouse, dialect, land }) => {
    await land(warehouse, firstRun);
    const before = await snapshot(warehouse, dialect);
    const { prepared, fresh } = await land(warehouse, { ...firstRun, runId: "run-2" });
    expect(prepared).toEqual({ staged: 12, fresh: 0, alreadyPresent: 12, replacedPartitions: [] });
    expect([...readJsonLines(fresh)]).toEqual([]);
    const after = await snapshot(warehouse, dialect);
    expect({ ...after, runs: undefined }).toEqual({ ...before, runs: undefined });
    expect((after.runs as unknown[])[1]).toEqual({
      run: "run-2",
      read: 14,
      written: 0,
      deadLettered: 2,
      duplicates: 12,
    });
  },

  "only the fresh events of an overlapping chunk are exported, event time in epoch ms": async ({
    warehouse,
    dialect,
    land,
  }) => {
    await land(warehouse, { runId: "run-1", events: flights("a", ["2001-01-01"]) });
    const overlapping = [...flights("a", ["2001-01-01"]).slice(0, 2), ...flights("b", ["2001-01-01"], 2)];
    const { prepared, fresh } = await land(warehouse, { runId: "run-2", events: overlapping });
    expect(prepared).toMatchObject({ staged: 4, fresh: 2, alreadyPresent: 2 });
    const exported = [...readJsonLines(fresh)].sort((a, b) => String(a.event_id).localeCompare(String(b.event_id)));
    expect(exported.map((e) => [e.event_id, e.date, e.delay, e.origin])).toEqual(
      flights("b", ["2001-01-01"], 2).map((f) => [f.id, Date.parse(f.at), f.delay, f.origin]),
    );
    expect((await eventRows(warehouse, dialect)).length).toBe(6);
  },

  "replace rewrites exactly the touched days and leaves the other days unchanged": async ({
    warehouse,
    dialect,
    land,
  }) => {
    await land(warehouse, firstRun);
    const before = await dayChecksums(warehouse, dialect);
    const day2 = flights("r", ["2001-01-02"], 3); // other ids, fewer rows: the old day's rows must all go
    const { prepared } = await land(warehouse, { runId: "run-2", events: day2 }, { replace: true });
    expect(prepared).toEqual({ staged: 3, fresh: 3, alreadyPresent: 0, replacedPartitions: ["2001-01-02"] });
    const after = await dayChecksums(warehouse, dialect);
    expect(after["2001-01-01"]).toBe(before["2001-01-01"]);
    expect(after["2001-01-03"]).toBe(before["2001-01-03"]);
    expect(after["2001-01-02"]).not.toBe(before["2001-01-02"]);
    const rows = await eventRows(warehouse, dialect);
    expect(rows.filter((r) => r.day === "2001-01-02").map((r) => r.id)).toEqual(day2.map((f) => f.id));
    const kept = firstRun.events.filter((f) => !f.at.startsWith("2001-01-02"));
    expect(await windowRows(warehouse, dialect)).toMatchObject(expectedWindows([...kept, ...day2]).sort(byOriginStart));
    // A later chunk of the same run does not empty the day again: it adds to it.
    const more = flights("s", ["2001-01-02"], 1);
    const second = await land(warehouse, { runId: "run-2", events: more }, { replace: true });
    expect(second.prepared.replacedPartitions).toEqual([]);
    expect((await eventRows(warehouse, dialect)).filter((r) => r.day === "2001-01-02")).toHaveLength(4);
  },

  "a failed commit leaves nothing, and the chunk lands on retry": async ({ warehouse, dialect, land }) => {
    await land(warehouse, firstRun);
    const before = await snapshot(warehouse, dialect);
    // The summary is written last, inside the transaction: an instant the warehouse cannot parse fails the commit.
    await expect(land(warehouse, failing, { replace: true, summary: { startedAt: "not-a-time" } })).rejects.toThrow();
    expect(await snapshot(warehouse, dialect)).toEqual(before);
    const { prepared } = await land(warehouse, failing);
    expect(prepared).toMatchObject({ staged: 8, fresh: 8 });
    expect((await jobRuns(warehouse, dialect)).map((r) => r.run)).toEqual(["run-1", "run-2"]);
    expect((await deadLetterRows(warehouse, dialect)).map((r) => r.line)).toEqual([3, 7, 99]);
  },

  "a retry after a failed commit replaces its days again": async ({ warehouse, dialect, land }) => {
    await land(warehouse, firstRun);
    await expect(land(warehouse, failing, { replace: true, summary: { startedAt: "not-a-time" } })).rejects.toThrow();
    const { prepared } = await land(warehouse, failing, { replace: true });
    expect(prepared.replacedPartitions).toEqual(["2001-01-02", "2001-01-04"]);
    const day2 = (await eventRows(warehouse, dialect)).filter((r) => r.day === "2001-01-02").map((r) => r.id);
    expect(day2).toEqual(failing.events.filter((f) => f.at.startsWith("2001-01-02")).map((f) => f.id));
  },

  "a prepared chunk that is aborted leaves nothing, replaced days included": async ({
    warehouse,
    dialect,
    land,
    dir,
  }) => {
    await land(warehouse, firstRun);
    const before = await snapshot(warehouse, dialect);
    const chunk = writeChunk(contract, `${dir}/aborted`, { runId: "run-2", events: flights("x", ["2001-01-01"]) });
    const prepared = await warehouse.prepareChunk(contract, chunk, `${dir}/aborted/fresh.jsonl`, { replace: true });
    expect(prepared.report.replacedPartitions).toEqual(["2001-01-01"]);
    await prepared.abort();
    expect(await snapshot(warehouse, dialect)).toEqual(before);
  },

  "window partials from two chunks merge to the same rows as one chunk": async ({
    warehouse,
    dialect,
    another,
    land,
  }) => {
    const all = flights("w", DAYS, 6);
    const split = (await another()).warehouse;
    await land(warehouse, { runId: "one", events: all });
    await land(split, { runId: "two-a", events: all.filter((_, i) => i % 2 === 0) }); // every window is split between chunks
    await land(split, { runId: "two-b", events: all.filter((_, i) => i % 2 === 1) });
    const one = await windowRows(warehouse, dialect);
    expect(await windowRows(split, dialect)).toEqual(one);
    expect(one).toMatchObject(expectedWindows(all));
  },
};

function byOriginStart(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return String(a.origin).localeCompare(String(b.origin)) || Number(a.start_ms) - Number(b.start_ms);
}
