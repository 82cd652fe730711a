/**
 * Online lookup of window rows in the warehouse, cached for a short time (`ttlMs`). A window is read whole: the first
 * request that needs any key of a (window table, window end) reads every key's row of that window in one query, so
 * live traffic — whose events fall in the same last complete window — costs one query per window per TTL. A key
 * without a row is known to have none. Concurrent requests share a query; a failed one is not cached.
 */
import type { FeatureSqlDialect } from "../../io/feature-query";
import type { Warehouse } from "../../io/ports";
import { windowKeyId, type WindowKey } from "../../transforms/score/online-features";

export type UseWarehouse = <T>(run: (warehouse: Warehouse) => Promise<T>) => Promise<T>;

type WindowRows = Map<string, Record<string, unknown>>;

interface Entry {
  rows: Promise<WindowRows>;
  expiresAt: number;
}

export class WindowLookup {
  private readonly cache = new Map<string, Entry>();
  /** Queries sent to the warehouse (for the tests and the bench). */
  queries = 0;

  constructor(
    private readonly useWarehouse: UseWarehouse,
    private readonly sql: FeatureSqlDialect,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The rows of `keys` (null: no row), by `windowKeyId`. */
  async rows(keys: readonly WindowKey[]): Promise<Map<string, Record<string, unknown> | null>> {
    const windows = keys.map((key) => this.window(key));
    const out = new Map<string, Record<string, unknown> | null>();
    for (const [i, key] of keys.entries()) out.set(windowKeyId(key), (await windows[i]).get(String(key.key)) ?? null);
    return out;
  }

  private window(key: WindowKey): Promise<WindowRows> {
    const id = `${key.table}\u0000${key.keyColumn}\u0000${key.windowEndMs}`;
    const at = this.now();
    const cached = this.cache.get(id);
    if (cached && cached.expiresAt > at) return cached.rows;
    if (this.cache.size > 10_000) this.evictExpired(at);
    const rows = this.query(key);
    const entry = { rows, expiresAt: at + this.ttlMs };
    this.cache.set(id, entry);
    rows.catch(() => this.cache.get(id) === entry && this.cache.delete(id));
    return rows;
  }

  private async query({ table, keyColumn, windowEndMs }: WindowKey): Promise<WindowRows> {
    this.queries++;
    const end = this.sql.instant(new Date(windowEndMs).toISOString());
    const text = `SELECT * FROM ${this.sql.table(table)} WHERE ${this.sql.ident("window_end")} = ${end}`;
    const rows = await this.useWarehouse((warehouse) => warehouse.query(text));
    return new Map(rows.map((r) => [String(r[keyColumn]), r]));
  }

  private evictExpired(at: number): void {
    for (const [id, entry] of this.cache) if (entry.expiresAt <= at) this.cache.delete(id);
  }
}
