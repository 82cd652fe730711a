/**
 * Stored window rows read by (window table, window end): one query per table for any number of window ends, every
 * key's row of each. Shared by the prediction server's cached lookup and the streaming job's scoring step.
 */
import type { FeatureSqlDialect } from "./feature-query";
import type { WindowKey } from "../transforms/score/online-features";

/** Rows of one window by key (as text). */
export type WindowRows = Map<string, Record<string, unknown>>;

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

const END_COLUMN = "_rox_window_end_ms";

/** The rows of some windows of one table (the first window's table and key column), by window end, then by key. */
export async function queryWindowRows(
  query: Query,
  sql: FeatureSqlDialect,
  windows: readonly WindowKey[],
): Promise<Map<number, WindowRows>> {
  const { table, keyColumn } = windows[0];
  const ends = [...new Set(windows.map((w) => w.windowEndMs))];
  const selects = ends.map((windowEndMs) => {
    const end = sql.instant(new Date(windowEndMs).toISOString());
    const where = `${sql.ident("window_end")} = ${end}`;
    return `SELECT ${windowEndMs} AS ${sql.ident(END_COLUMN)}, * FROM ${sql.table(table)} WHERE ${where}`;
  });
  const rows = await query(selects.join(" UNION ALL "));
  const out = new Map<number, WindowRows>();
  for (const row of rows) {
    const end = Number(row[END_COLUMN]);
    if (!out.has(end)) out.set(end, new Map());
    out.get(end)!.set(String(row[keyColumn]), row);
  }
  return out;
}
