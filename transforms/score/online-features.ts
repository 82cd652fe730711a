/**
 * A model's feature row for one event scored online (the prediction server), with exactly the meaning the feature
 * query gives training and batch scoring (`io/feature-query.ts`): the event's own columns and per-event features,
 * and per window feature the row of the event's key whose window *ended at* the event time floored to the window size
 * (the last complete window, never the event's own), `whenNoWindow` when that value is missing. Pure: the window rows
 * are looked up by the caller.
 */
import type { Contract, EventRecord, WindowFeatureSpec } from "../../schemas/contract";
import { windowTableName } from "../../schemas/tables";
import type { CardFeature } from "./model-card";

/** One window row an event needs: the window table, its key column and value, and the window's end (epoch ms). */
export interface WindowKey {
  table: string;
  keyColumn: string;
  key: string | number;
  windowEndMs: number;
}

/** The stored window row of a key (its columns by name), or null when the key had no event in that window. */
export type WindowRowOf = (key: WindowKey) => Record<string, unknown> | null;

/** The window rows the event's features need, one per window the card uses (the event normalized: times as ms). */
export function windowKeysOf(contract: Contract, features: readonly CardFeature[], event: EventRecord): WindowKey[] {
  const windows = new Set(features.filter((f) => f.window !== undefined).map((f) => f.window!));
  return [...windows].map((name) => windowKey(contract, windowSpec(contract, name), event));
}

/** A stable text for a window key (cache entries, grouping). */
export function windowKeyId(key: WindowKey): string {
  return `${key.table}\u0000${key.windowEndMs}\u0000${typeof key.key}\u0000${key.key}`;
}

/**
 * The feature row of a validated, normalized event: `eventColumns` are the event rendered as the events table holds
 * it plus its per-event features; window features come from `rowOf`.
 */
export function onlineFeatureRow(
  contract: Contract,
  features: readonly CardFeature[],
  event: EventRecord,
  eventColumns: Record<string, unknown>,
  rowOf: WindowRowOf,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const f of features) {
    if (f.window === undefined) {
      row[f.name] = eventColumns[f.name] ?? null;
      continue;
    }
    const windowRow = rowOf(windowKey(contract, windowSpec(contract, f.window), event));
    const value = windowRow?.[f.column!] ?? null;
    row[f.name] = value === null && f.whenNoWindow !== undefined ? f.whenNoWindow : value;
  }
  return row;
}

function windowKey(contract: Contract, spec: WindowFeatureSpec, event: EventRecord): WindowKey {
  const time = event[contract.eventTimeField] as number;
  const size = spec.sizeSeconds * 1000;
  const key = event[spec.key];
  return {
    table: windowTableName(contract, spec),
    keyColumn: spec.key,
    key: typeof key === "number" ? key : String(key),
    windowEndMs: Math.floor(time / size) * size,
  };
}

function windowSpec(contract: Contract, name: string): WindowFeatureSpec {
  const spec = contract.features?.windows.find((w) => w.name === name);
  if (!spec) throw new Error(`schema ${contract.name} has no window "${name}"`);
  return spec;
}
