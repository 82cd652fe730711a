/**
 * The fold of a window's partials into its rows, as SQL: what the streaming job's window view reads. Each partial is
 * one event's accumulator under its id (`_event_id`); a re-sent id counts once, a late event updates its window. The
 * sums, maxima and minima are `mergeAccumulators`, the outputs the aggregator's `finishSql` (= `finish`), so the rows
 * equal `mergeWindowRows`. Pure: the dialect's quoting is passed in (BigQuery backticks, DuckDB double quotes).
 */
import type { Contract, WindowFeatureSpec } from "../schemas/contract";
import { windowAggregator } from "./features";
import type { MergeOp, WindowAggregator } from "./features/module";
import { SchemaError } from "../schemas/schema-error";
import { accumulatorColumns } from "./window-rows";

const MERGE_SQL: Record<MergeOp, string> = { sum: "SUM", max: "MAX", min: "MIN" };

/** `SELECT` of the window rows (key, bounds, outputs, `_acc_*`, `_updated_at`) folded from the partials table. */
export function windowFoldSql(
  contract: Contract,
  window: WindowFeatureSpec,
  partialsTable: string,
  quote: (name: string) => string,
): string {
  const aggregator = windowAggregator(contract, window.name);
  const names = Object.keys(aggregator.accumulator);
  const slot = [window.key, "window_start", "window_end"].map(quote);
  const merged = names.map((name) => `${MERGE_SQL[aggregator.accumulator[name]]}(${quote(name)}) AS ${quote(name)}`);
  const firstCopies =
    `SELECT *, ROW_NUMBER() OVER (PARTITION BY ${quote("_event_id")} ORDER BY ${quote("_updated_at")}) AS ` +
    `${quote("_copy")} FROM ${partialsTable}`;
  const folded =
    `SELECT ${[...slot, ...merged, `MAX(${quote("_updated_at")}) AS ${quote("_updated_at")}`].join(", ")} ` +
    `FROM (${firstCopies}) WHERE ${quote("_copy")} = 1 GROUP BY ${slot.join(", ")}`;
  const outputs = window.columns.map((c) => `${finishOf(aggregator, window, c.name)} AS ${quote(c.name)}`);
  const accumulators = names.map((name, i) => `${quote(name)} AS ${quote(accumulatorColumns(aggregator)[i])}`);
  return `SELECT ${[...slot, ...outputs, ...accumulators, quote("_updated_at")].join(", ")} FROM (${folded})`;
}

function finishOf(aggregator: WindowAggregator, window: WindowFeatureSpec, column: string): string {
  if (Object.hasOwn(aggregator.finishSql, column)) return aggregator.finishSql[column];
  throw new SchemaError("invalid_attribute", `window "${window.name}": its aggregator has no finishSql for ${column}`);
}
