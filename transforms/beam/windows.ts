import { requireForSerialization } from "apache-beam/serialization";
import type { IntervalWindow, ParDoLookupParam, Window } from "./sdk";
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

/** Beam's timestamp function: events of the window pass carry their event time (epoch ms) in `t`. */
export function eventTimestamp(element: { t: number }): Long {
  return Long.fromValue(element.t);
}

/**
 * One event as a one-event accumulator under its key, with its event time in `t` for the timestamp step: partials
 * merge associatively after grouping. (One step instead of two: every step costs each event a hop in the SDK.)
 */
export function accumulateOne(event: EventRecord, ctx: WindowContext): KeyedAccumulator & { t: number } {
  const { aggregator, keyField, eventTimeField } = aggregatorOf(ctx);
  return {
    t: event[eventTimeField] as number,
    key: String(event[keyField]),
    value: aggregator.add(emptyAccumulator(aggregator), event),
  };
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
  eventTimestamp,
  accumulateOne,
  mergeWindowGroup,
  partialOfEvent,
});
