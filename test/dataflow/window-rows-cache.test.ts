/**
 * The scoring DoFn's own window cache (pipelines/dataflow/window-rows-cache.ts), on an injected clock: a held window
 * answers its keys (a key without a row as null) until the worker's `expiresAt`, exclusive, and not after; a window
 * that crossed over already expired is not kept; its expiry is the worker's, never a TTL counted again from the put.
 */
import type { CachedWindow } from "../../io/window-lookup";
import { windowIdOf } from "../../io/window-lookup";
import { WindowRowsCache } from "../../pipelines/dataflow/window-rows-cache";
import { windowKeyId, type WindowKey } from "../../transforms/score/online-features";

const END = Date.parse("2001-01-02T10:00:00Z");
const key = (origin: string, windowEndMs = END): WindowKey => ({
  table: "flights_origin_hourly",
  keyColumn: "origin",
  key: origin,
  windowEndMs,
});
const row = (origin: string, mean: number) => ({ origin, mean_delay: mean });

function windowOf(end: number, rows: Record<string, unknown>[], expiresAt: number): CachedWindow {
  return { id: windowIdOf(key("any", end)), rows: new Map(rows.map((r) => [String(r.origin), r])), expiresAt };
}

function clock(start: number) {
  const c = { at: start, now: () => c.at };
  return c;
}

test("a held window answers its keys until its expiresAt, then they are missing again", () => {
  const time = clock(1_000);
  const cache = new WindowRowsCache(time.now);
  const keys = [key("LAS"), key("SFO"), key("NOWHERE")];
  expect(cache.lookup(keys)).toStrictEqual({ rows: new Map(), missing: keys });

  cache.put([windowOf(END, [row("LAS", 5), row("SFO", 7)], 31_000)]);
  const hit = cache.lookup(keys);
  expect(hit.missing).toEqual([]);
  expect(hit.rows).toStrictEqual(
    new Map([
      [windowKeyId(keys[0]), row("LAS", 5)],
      [windowKeyId(keys[1]), row("SFO", 7)],
      [windowKeyId(keys[2]), null],
    ]),
  );

  time.at = 30_999;
  expect(cache.lookup(keys).missing).toEqual([]);
  time.at = 31_000;
  expect(cache.lookup(keys)).toStrictEqual({ rows: new Map(), missing: keys });
});

test("another window's keys are missing; a key is answered from its own window only", () => {
  const time = clock(1_000);
  const cache = new WindowRowsCache(time.now);
  cache.put([windowOf(END, [row("LAS", 5)], 31_000)]);
  const later = key("LAS", END + 3_600_000);
  const got = cache.lookup([key("LAS"), later]);
  expect(got.rows).toStrictEqual(new Map([[windowKeyId(key("LAS")), row("LAS", 5)]]));
  expect(got.missing).toEqual([later]);
});

test("the expiry is the worker's: a window put late keeps it, one put expired is not kept", () => {
  const time = clock(20_000);
  const cache = new WindowRowsCache(time.now);
  // Read by the worker at 1,000 with a TTL of 30,000: crossing over at 20,000 does not extend it to 50,000.
  cache.put([windowOf(END, [row("LAS", 5)], 31_000)]);
  expect(cache.expiresAt(key("LAS"))).toBe(31_000);
  time.at = 31_000;
  expect(cache.lookup([key("LAS")]).missing).toEqual([key("LAS")]);

  cache.put([windowOf(END, [row("LAS", 6)], 31_000)]);
  expect(cache.expiresAt(key("LAS"))).toBe(31_000);
  expect(cache.lookup([key("LAS")]).missing).toEqual([key("LAS")]);
  const fresh = new WindowRowsCache(time.now);
  fresh.put([windowOf(END, [row("LAS", 6)], 30_000)]);
  expect(fresh.expiresAt(key("LAS"))).toBeUndefined();
});
