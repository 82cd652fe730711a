import type { EventRecord } from "../../schemas/contract";

/** How two partial accumulators of a window aggregate combine, column by column; sinks merge partials with it. */
export type MergeOp = "sum" | "max" | "min";

/** Accumulator of a window aggregate: integers only, so any grouping of partials merges to the same result. */
export type Accumulator = Record<string, number | null>;

export interface WindowAggregator {
  accumulator: Record<string, MergeOp>;
  /** Adds one event to an accumulator (returns a new one). */
  add(acc: Accumulator, event: EventRecord): Accumulator;
  /** Output columns from a complete accumulator. */
  finish(acc: Accumulator): Record<string, unknown>;
  /**
   * The same outputs as SQL expressions over the accumulator columns (bare names), in the SQL BigQuery and DuckDB
   * share, for a warehouse that folds partials itself (the streaming job's window view). Must equal `finish`.
   */
  finishSql: Record<string, string>;
}

/** A feature module: per-event features and the window aggregates a schema's `rox.features` names. */
export interface FeatureModule {
  eventFeatures(event: EventRecord): Record<string, unknown>;
  windows: Record<string, WindowAggregator>;
}

export function emptyAccumulator(agg: WindowAggregator): Accumulator {
  return Object.fromEntries(Object.keys(agg.accumulator).map((k) => [k, agg.accumulator[k] === "sum" ? 0 : null]));
}

export function mergeAccumulators(agg: WindowAggregator, a: Accumulator, b: Accumulator): Accumulator {
  const out: Accumulator = {};
  for (const [column, op] of Object.entries(agg.accumulator)) out[column] = mergeValue(op, a[column], b[column]);
  return out;
}

function mergeValue(op: MergeOp, a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined) return b ?? null;
  if (b === null || b === undefined) return a;
  if (op === "sum") return a + b;
  return op === "max" ? Math.max(a, b) : Math.min(a, b);
}
