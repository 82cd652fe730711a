import type { Contract, WindowFeatureSpec } from "../schemas/contract";
import { windowAggregator } from "./features";
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
  const aggregator = windowAggregator(contract, window.name);
  const storedAcc = new Map(
    stored.map((row) => [
      slot(String(row[window.key]), Number(row.start_ms)),
      accumulatorOf(aggregator, row, ACC_PREFIX),
    ]),
  );
  const touched = new Map<string, { key: unknown; startMs: number; acc: Accumulator }>();
  for (const partial of partials) {
    const startMs = Date.parse(String(partial.window_start));
    const id = slot(String(partial[window.key]), startMs);
    const before = touched.get(id)?.acc ?? storedAcc.get(id);
    const acc = accumulatorOf(aggregator, partial, "");
    touched.set(id, {
      key: partial[window.key],
      startMs,
      acc: before ? mergeAccumulators(aggregator, before, acc) : acc,
    });
  }
  return [...touched.values()].map((item) => finishRow(aggregator, window, item, updatedAt));
}

function slot(key: string, startMs: number): string {
  return `${key}\u0000${startMs}`;
}

/** The accumulator columns of a row: `_acc_*` in a stored row, bare names in a chunk's partial. */
function accumulatorOf(aggregator: WindowAggregator, row: Record<string, unknown>, prefix: string): Accumulator {
  return Object.fromEntries(Object.keys(aggregator.accumulator).map((name) => [name, toNumber(row[prefix + name])]));
}

function toNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function finishRow(
  aggregator: WindowAggregator,
  window: WindowFeatureSpec,
  item: { key: unknown; startMs: number; acc: Accumulator },
  updatedAt: string,
): Record<string, unknown> {
  const accColumns = Object.fromEntries(Object.entries(item.acc).map(([name, value]) => [ACC_PREFIX + name, value]));
  return {
    [window.key]: item.key,
    window_start: new Date(item.startMs).toISOString(),
    window_end: new Date(item.startMs + window.sizeSeconds * 1000).toISOString(),
    ...aggregator.finish(item.acc),
    ...accColumns,
    _updated_at: updatedAt,
  };
}
