/**
 * The online window lookup a DoFn calls synchronously (pipelines/dataflow/window-lookup-sync.ts): the prediction
 * server's `WindowLookup` in a worker thread over a real DuckDB warehouse (real flights through the batch job). It
 * answers what the async lookup answers, and a failed lookup is a typed error that leaves the bridge usable. The
 * caller thread's cache in front of the worker (on an injected clock) answers held windows without a round trip, until
 * the worker's own expiry of the window: a window the worker read earlier is not held a TTL longer on this side.
 */
import * as path from "path";
import { DUCKDB_FEATURE_SQL } from "../../io/feature-query";
import { WindowLookup } from "../../io/window-lookup";
import {
  lookupWindowRowsSync,
  stopWindowLookupSync,
  SyncWindowLookup,
} from "../../pipelines/dataflow/window-lookup-sync";
import type { WindowKey } from "../../transforms/score/online-features";
import { flightsWarehouse, withDuckDb } from "../models/fixture";
import { tempDir } from "../support/temp";

const work = tempDir("window-lookup-sync");
let warehouse: string;
let keys: WindowKey[];

beforeAll(async () => {
  warehouse = await flightsWarehouse(work.dir, ["2001-01-08"], 800);
  const rows = await withDuckDb(warehouse, (w) =>
    w.query("SELECT origin, epoch_ms(window_end) AS end_ms FROM flights_origin_hourly ORDER BY ALL LIMIT 40"),
  );
  const key = (origin: unknown, end: number): WindowKey => ({
    table: "flights_origin_hourly",
    keyColumn: "origin",
    key: String(origin),
    windowEndMs: end,
  });
  keys = [...rows.map((r) => key(r.origin, Number(r.end_ms))), key("NOWHERE", Number(rows[0].end_ms))];
}, 300_000);

afterAll(async () => {
  await stopWindowLookupSync();
  work.cleanup();
});

test("the worker thread answers what the server's lookup answers, a key without a row as null", async () => {
  const settings = { target: { kind: "duckdb" as const, file: warehouse }, ttlMs: 60_000 };
  const sync = lookupWindowRowsSync(settings, keys);
  const use = <T>(run: (w: Parameters<Parameters<typeof withDuckDb>[1]>[0]) => Promise<T>) =>
    withDuckDb(warehouse, run);
  const direct = await new WindowLookup(use, DUCKDB_FEATURE_SQL, 60_000).rows(keys);
  expect(sync.size).toBe(keys.length);
  expect([...sync.values()].filter((row) => row !== null)).toHaveLength(keys.length - 1);
  expect(sync).toStrictEqual(direct);
});

test("a failed lookup is a WindowLookupError (kind cloud), and the bridge still answers afterwards", () => {
  const missing = { target: { kind: "duckdb" as const, file: path.join(work.dir, "empty.duckdb") }, ttlMs: 1 };
  expect(() => lookupWindowRowsSync(missing, keys)).toThrow(
    expect.objectContaining({ name: "WindowLookupError", kind: "cloud" }),
  );
  const settings = { target: { kind: "duckdb" as const, file: warehouse }, ttlMs: 1 };
  expect(lookupWindowRowsSync(settings, keys.slice(0, 1)).size).toBe(1);
});

test("held windows are answered without a round trip to the worker, until the worker's expiry of them", () => {
  const settings = { target: { kind: "duckdb" as const, file: warehouse }, ttlMs: 600_000 };
  const time = { at: 0 };
  const sync = new SyncWindowLookup(() => time.at);
  const first = sync.rows(settings, keys);
  expect(sync.crossings).toBe(1);
  const until = sync.heldUntil(settings, keys[0])!;
  expect(until).toBeGreaterThan(time.at);

  expect(sync.rows(settings, keys)).toStrictEqual(first);
  expect(sync.rows(settings, keys.slice(3, 9))).toStrictEqual(new Map([...first].slice(3, 9)));
  expect(sync.crossings).toBe(1);

  time.at = until - 1;
  expect(sync.rows(settings, keys)).toStrictEqual(first);
  expect(sync.crossings).toBe(1);
  time.at = until;
  expect(sync.rows(settings, keys)).toStrictEqual(first);
  expect(sync.crossings).toBe(2);
});

test("a window the worker already holds crosses over with the worker's expiry, not a fresh TTL", () => {
  const settings = { target: { kind: "duckdb" as const, file: warehouse }, ttlMs: 900_000 };
  const early = new SyncWindowLookup(() => 0);
  early.rows(settings, keys);
  const until = early.heldUntil(settings, keys[0])!;
  // A second caller thread's cache asks later (its clock just before the worker's expiry): the worker's cache answers,
  // and the window is held until the same instant, not until its own now + TTL.
  const late = new SyncWindowLookup(() => until - 1);
  expect(late.rows(settings, keys)).toStrictEqual(early.rows(settings, keys));
  expect(late.crossings).toBe(1);
  expect(late.heldUntil(settings, keys[0])).toBe(until);
});
