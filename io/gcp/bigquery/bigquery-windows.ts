/**
 * Window rows for one chunk: the stored accumulators of the windows its partials touch are read back, merged with the
 * partials in JS (`mergeWindowRows`, the same function DuckDB uses) and finished; the commit upserts the result.
 */
import type { Contract, WindowFeatureSpec } from "../../../schemas/contract";
import { mergeWindowRows, windowTableName } from "../../../transforms/window-rows";
import { plainRow } from "./bigquery-rows";
import { col, onDays, tableRef, type DatasetRef, type ReplaceDays } from "./bigquery-sql";

type Row = Record<string, unknown>;

/** A query with its parameters (`@name`): the values never enter the SQL text. */
export interface BoundQuery {
  sql: string;
  params: Record<string, unknown>;
}

/** Stored rows of the (key, window) slots the partials touch, as `mergeWindowRows` reads them (`start_ms`, `_acc_*`). */
export function storedWindowRowsSql(
  ref: DatasetRef,
  contract: Contract,
  window: WindowFeatureSpec,
  partials: Row[],
  replace?: ReplaceDays,
): BoundQuery {
  const keys = [...new Set(partials.map((p) => String(p[window.key])))];
  let first = Infinity; // a loop, not Math.min(...): a large chunk has more partials than an argument list holds
  let last = -Infinity;
  for (const p of partials) {
    const start = Date.parse(String(p.window_start));
    first = Math.min(first, start);
    last = Math.max(last, start);
  }
  const where = [
    "UNIX_MILLIS(window_start) BETWEEN @first AND @last",
    `CAST(${col(window.key)} AS STRING) IN UNNEST(@keys)`,
    // Rows of days this chunk replaces are deleted by the same commit: the chunk's partials start those windows afresh.
    ...(replace ? [`NOT ${onDays("window_start", replace)}`] : []),
  ];
  const sql = `SELECT *, UNIX_MILLIS(window_start) AS start_ms FROM ${tableRef(ref, windowTableName(contract, window))} WHERE ${where.join(" AND ")}`;
  return { sql, params: { first, last, keys } };
}

/** The finished rows to upsert, one per (key, window) the partials touch. */
export async function mergedWindowRows(
  query: (bound: BoundQuery) => Promise<Row[]>,
  ref: DatasetRef,
  contract: Contract,
  window: WindowFeatureSpec,
  partials: Row[],
  replace?: ReplaceDays,
): Promise<Row[]> {
  const stored = (await query(storedWindowRowsSql(ref, contract, window, partials, replace))).map(plainRow);
  return mergeWindowRows(contract, window, partials, stored, new Date().toISOString());
}
