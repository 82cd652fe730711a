import type { Contract, WindowFeatureSpec } from "../schemas/contract";
import { featureModule } from "./features";
export { windowTableName } from "../schemas/tables";
import { mergeAccumulators, type Accumulator, type WindowAggregator } from "./features/module";

const ACC_PREFIX = "_acc_";

/** The hidden accumulator columns a window table keeps beside its outputs. */
export function accumulatorColumns(aggregator: WindowAggregator): string[] {
  return Object.keys(aggregator.accumulator).map((name) => ACC_PREFIX + name);
}

/**
 * Merges a chunk's partial aggregates (`{<key>, window_start, window_end, ...accumulator}`) into the stored rows of the
 * same windows (`{<key>, start_ms, _acc_*}`) and finishes them: the rows to upsert, one per (key, window).
 */
export function mergeWindowRows(
  contract: Contract,
  window: WindowFeatureSpec,
  partials: Record<string, unknown>[],
  stored: Record<string, unknown>[],
  updatedAt: string,
): Record<string, unknown>[] {
  const aggregator = featureModule(contract.features?.module).windows[window.name];
  const merged = new Map<string, { partial: Record<string, unknown>; acc: Accumulator }>();
  for (const row of stored) merged.set(slot(String(row[window.key]), Number(row.start_ms)), { partial: row, acc: storedAccumulator(aggregator, row) });
  for (const partial of partials) {
    const id = slot(String(partial[window.key]), Date.parse(String(partial.window_start)));
    const before = merged.get(id);
    const acc = pickAccumulator(aggregator, partial);
    merged.set(id, { partial, acc: before ? mergeAccumulators(aggregator, before.acc, acc) : acc });
  }
  const touched = new Set(partials.map((p) => slot(String(p[window.key]), Date.parse(String(p.window_start)))));
  return [...touched].map((id) => finishRow(aggregator, window, merged.get(id)!, updatedAt));
}

function slot(key: string, startMs: number): string {
  return `${key}\u0000${startMs}`;
}

function storedAccumulator(aggregator: WindowAggregator, row: Record<string, unknown>): Accumulator {
  return Object.fromEntries(Object.keys(aggregator.accumulator).map((name) => [name, toNumber(row[ACC_PREFIX + name])]));
}

function pickAccumulator(aggregator: WindowAggregator, partial: Record<string, unknown>): Accumulator {
  return Object.fromEntries(Object.keys(aggregator.accumulator).map((name) => [name, toNumber(partial[name])]));
}

function toNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function finishRow(aggregator: WindowAggregator, window: WindowFeatureSpec, item: { partial: Record<string, unknown>; acc: Accumulator }, updatedAt: string): Record<string, unknown> {
  const startMs = Date.parse(String(item.partial.window_start ?? "")) || Number(item.partial.start_ms);
  const accColumns = Object.fromEntries(Object.entries(item.acc).map(([name, value]) => [ACC_PREFIX + name, value]));
  return {
    [window.key]: item.partial[window.key],
    window_start: new Date(startMs).toISOString(),
    window_end: new Date(startMs + window.sizeSeconds * 1000).toISOString(),
    ...aggregator.finish(item.acc),
    ...accColumns,
    _updated_at: updatedAt,
  };
}
