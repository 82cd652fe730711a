import Long from "long";
import * as beam from "../../transforms/beam/sdk";
import { AccumulateInBundle, fixedWindowStart } from "../../transforms/beam/windows";
import { originHourly } from "../../transforms/features/flights";
import { emptyAccumulator, mergeAccumulators, type Accumulator } from "../../transforms/features/module";
import type { EventRecord } from "../../schemas/contract";

const HOUR_MS = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe("fixedWindowStart: the start of the window Beam's fixedWindows assigns to an event time", () => {
  test.each([
    0,
    1,
    HOUR_MS - 1,
    HOUR_MS,
    at("2001-01-01T00:01:00Z"),
    at("2001-01-01T23:59:59.999Z"),
    1.7,
    at("2001-01-01T00:00:00Z") + 0.9,
    // Before 1970 the SDK's truncating remainder puts an event in the window after its own: mirrored, not fixed.
    -1,
    -0.5,
    -HOUR_MS,
    -HOUR_MS - 1,
  ])("%d", (t) => {
    const [window] = beam.fixedWindows(3600).assignWindows(Long.fromValue(t)) as beam.IntervalWindow[];
    expect(fixedWindowStart(t, HOUR_MS)).toBe(window.start.toNumber());
  });
});

describe("AccumulateInBundle: per-bundle partials that merge to the per-event aggregate", () => {
  const ctx = { schema: "flights", window: "origin_hourly", sizeSeconds: 3600 };
  const flight = (origin: string, iso: string, delay: number): EventRecord => ({
    event_id: `${origin}-${iso}`,
    date: at(iso),
    delay,
    distance: 100,
    origin,
    destination: "SFO",
  });
  const events = [
    flight("LAS", "2001-01-01T00:01:00Z", 33),
    flight("LAS", "2001-01-01T00:59:59Z", -4),
    flight("ORD", "2001-01-01T00:30:00Z", 16),
    flight("LAS", "2001-01-01T01:00:00Z", 7),
    flight("LAS", "2001-01-01T00:20:00Z", 40),
    flight("ORD", "2001-01-01T00:10:00Z", 2),
  ];

  /** Runs the DoFn over bundles as a runner would (one instance, reused): every partial each bundle emitted. */
  function runBundles(bundles: EventRecord[][]) {
    const doFn = new AccumulateInBundle();
    return bundles.map((bundle) => {
      doFn.startBundle();
      for (const event of bundle) doFn.process(event, ctx);
      return [...doFn.finishBundle()];
    });
  }

  /** What the group after `windowInto` sees: partials by key and the window their timestamp falls in, merged. */
  function mergeByWindow(partials: beam.WindowedValue<{ key: string; value: Accumulator }>[]) {
    const merged = new Map<string, Accumulator>();
    for (const partial of partials) {
      const [window] = beam.fixedWindows(3600).assignWindows(partial.timestamp) as beam.IntervalWindow[];
      const id = `${partial.value.key} ${new Date(window.start.toNumber()).toISOString()}`;
      merged.set(
        id,
        mergeAccumulators(originHourly, merged.get(id) ?? emptyAccumulator(originHourly), partial.value.value),
      );
    }
    return Object.fromEntries([...merged].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  const expected = {
    "LAS 2001-01-01T00:00:00.000Z": { flights: 3, delay_sum: 69, max_delay: 40, delayed_flights: 2 },
    "LAS 2001-01-01T01:00:00.000Z": { flights: 1, delay_sum: 7, max_delay: 7, delayed_flights: 0 },
    "ORD 2001-01-01T00:00:00.000Z": { flights: 2, delay_sum: 18, max_delay: 16, delayed_flights: 1 },
  };

  test("one bundle: one partial per key and window, in the global window, stamped with the window's start", () => {
    const [partials] = runBundles([events]);
    expect(partials).toHaveLength(3);
    for (const partial of partials) {
      expect(partial.windows).toEqual([new beam.GlobalWindow()]);
      expect(partial.timestamp.toNumber() % HOUR_MS).toBe(0);
    }
    expect(mergeByWindow(partials)).toStrictEqual(expected);
  });

  test.each([
    ["two bundles", [events.slice(0, 3), events.slice(3)]],
    ["a bundle per event", events.map((event) => [event])],
    ["an empty bundle between", [events.slice(0, 2), [], events.slice(2)]],
  ])("%s: each bundle flushes only its own events, and the merge is the same", (_name, bundles) => {
    const emitted = runBundles(bundles);
    emitted.forEach((partials, i) => {
      const flights = partials.reduce((n, p) => n + (p.value.value.flights ?? 0), 0);
      expect(flights).toBe(bundles[i].length);
    });
    expect(mergeByWindow(emitted.flat())).toStrictEqual(expected);
  });
});
