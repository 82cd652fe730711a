import { requireForSerialization } from "apache-beam/serialization";
import { PaneInfoCoder } from "apache-beam/coders/required_coders";
import { GlobalWindow, type DoFn, type IntervalWindow, type ParDoLookupParam, type Window } from "./sdk";
import type { WindowedValue } from "./sdk";
import Long from "long";
import { loadContract } from "../../schemas/load";
import { clockNow, type RunClockMs } from "./clock";
import type { EventRecord } from "../../schemas/contract";
import { windowAggregator } from "../features";
import { emptyAccumulator, mergeAccumulators, type Accumulator, type WindowAggregator } from "../features/module";

/** Which window aggregate of which schema a DoFn computes. */
export interface WindowContext {
  schema: string;
  schemasDir?: string;
  window: string;
}

export interface KeyedAccumulator {
  key: string;
  value: Accumulator;
}

interface ResolvedWindow {
  aggregator: WindowAggregator;
  keyField: string;
  eventTimeField: string;
  idField: string;
  sizeMs: number;
}

/** Beam hands a DoFn the same context object for every element: resolve the aggregator once per context. */
const resolved = new WeakMap<object, ResolvedWindow>();

function aggregatorOf(ctx: WindowContext): ResolvedWindow {
  let found = resolved.get(ctx);
  if (!found) resolved.set(ctx, (found = resolveWindow(ctx)));
  return found;
}

function resolveWindow(ctx: WindowContext): ResolvedWindow {
  const contract = loadContract(ctx.schema, { dir: ctx.schemasDir });
  const spec = contract.features?.windows.find((w) => w.name === ctx.window);
  if (!spec) throw new Error(`schema ${ctx.schema} declares no window "${ctx.window}"`);
  const aggregator = windowAggregator(contract, ctx.window);
  const { eventTimeField, idField } = contract;
  return { aggregator, keyField: spec.key, eventTimeField, idField, sizeMs: spec.sizeSeconds * 1000 };
}

/**
 * The start (epoch ms) of the fixed window of `sizeMs` that Beam's `fixedWindows` assigns to an element stamped with
 * event time `t`: the timestamp is `Long.fromValue(t)` (truncated toward zero) and the start is `ts - ts % size` with a
 * truncating remainder, as the SDK computes it (before 1970 that is the window after the event's, as in the SDK).
 */
export function fixedWindowStart(t: number, sizeMs: number): number {
  const ts = Math.trunc(t);
  return ts - (ts % sizeMs) || 0;
}

/** A window aggregate and the size of the `fixedWindows` it is grouped by. */
type SizedWindowContext = WindowContext & { sizeSeconds: number };

/** What a bundle holds per key and window: the key, the window's start and the partial accumulator. */
interface BundlePartial {
  key: string;
  start: number;
  value: Accumulator;
}

/**
 * Combiner lifting for a window aggregate, by hand (the TS SDK's runners run `combinePerKey` unlifted): adds each event
 * to its (key, event-time window)'s accumulator in a map held for the bundle, and emits the bundle's partials when it
 * finishes, each stamped with its window's start, so `windowInto` puts it in that window and the group after it merges
 * every bundle's partial of a window (integer accumulators: any grouping merges to the same result). One operator per
 * event instead of three (accumulate, timestamp, window) and a group over partials, not events. The input must be in
 * the global window (a batch of events); `sizeSeconds` must be the `fixedWindows` size that follows.
 */
export class AccumulateInBundle implements DoFn<EventRecord, KeyedAccumulator, SizedWindowContext> {
  /** Window start → key → partial (numbers as keys: no string built per event). */
  private partials = new Map<number, Map<string, BundlePartial>>();

  startBundle(): void {
    this.partials = new Map();
  }

  process(event: EventRecord, ctx: SizedWindowContext): void {
    const { aggregator, keyField, eventTimeField } = aggregatorOf(ctx);
    const key = String(event[keyField]);
    const start = fixedWindowStart(event[eventTimeField] as number, ctx.sizeSeconds * 1000);
    let window = this.partials.get(start);
    if (!window) this.partials.set(start, (window = new Map()));
    const partial = window.get(key);
    if (partial) partial.value = aggregator.add(partial.value, event);
    else window.set(key, { key, start, value: aggregator.add(emptyAccumulator(aggregator), event) });
  }

  *finishBundle(): Generator<WindowedValue<KeyedAccumulator>> {
    const partials = this.partials;
    this.partials = new Map();
    const pane = PaneInfoCoder.ONE_AND_ONLY_FIRING;
    for (const window of partials.values()) {
      for (const { key, start, value } of window.values())
        yield { value: { key, value }, windows: [new GlobalWindow()], timestamp: Long.fromNumber(start), pane };
    }
  }
}

/** A window's partial-aggregate row: key, window bounds (ISO UTC) and the merged accumulator. */
export function mergeWindowGroup(
  group: { key: string; value: Iterable<Accumulator> },
  ctx: WindowContext & { bounds: ParDoLookupParam<Window> },
): Record<string, unknown> {
  const { aggregator, keyField } = aggregatorOf(ctx);
  let acc = emptyAccumulator(aggregator);
  for (const partial of group.value) acc = mergeAccumulators(aggregator, acc, partial);
  const window = ctx.bounds.lookup() as IntervalWindow;
  return {
    [keyField]: group.key,
    window_start: new Date(window.start.toNumber()).toISOString(),
    window_end: new Date(window.end.toNumber()).toISOString(),
    ...acc,
  };
}

/**
 * One event as the partial row of its event-time window (fixed windows from the epoch, as Beam's): key, bounds, the
 * one-event accumulator, the event id and the clock. The streaming job appends these and a view folds them
 * (transforms/window-fold-sql.ts), so no window has to close: a late event still updates its window.
 */
export function partialOfEvent(
  event: EventRecord,
  ctx: WindowContext & { nowMs: RunClockMs },
): Record<string, unknown> {
  const { aggregator, keyField, eventTimeField, idField, sizeMs } = aggregatorOf(ctx);
  const t = event[eventTimeField] as number;
  const start = t - (((t % sizeMs) + sizeMs) % sizeMs);
  return {
    [keyField]: event[keyField],
    window_start: new Date(start).toISOString(),
    window_end: new Date(start + sizeMs).toISOString(),
    ...aggregator.add(emptyAccumulator(aggregator), event),
    _event_id: String(event[idField]),
    _updated_at: new Date(clockNow(ctx.nowMs)).toISOString(),
  };
}

requireForSerialization("rox-gcp/transforms/beam/windows", {
  AccumulateInBundle,
  mergeWindowGroup,
  partialOfEvent,
});
