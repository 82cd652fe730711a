/**
 * Online lookup of window rows in the warehouse, cached for a short time (`ttlMs`). A window is read whole: the first
 * request that needs any key of a (window table, window end) reads every key's row of that window, so live traffic —
 * whose events fall in the same last complete window — costs one query per window per TTL; the windows a request
 * misses are read in one query per window table. A key without a row is known to have none. Concurrent requests share
 * a query; a failed one is not cached.
 */
import type { FeatureSqlDialect } from "./feature-query";
import type { Warehouse } from "./ports";
import { windowKeyId, type WindowKey } from "../transforms/score/online-features";
import { queryWindowRows, type WindowRows } from "./window-rows-query";

export type UseWarehouse = <T>(run: (warehouse: Warehouse) => Promise<T>) => Promise<T>;

/** One whole window as the lookup holds it: every key's row, and when the lookup stops using it. */
export interface CachedWindow {
  /** `windowIdOf` */
  id: string;
  rows: WindowRows;
  expiresAt: number;
}

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
    const windows = this.entries(keys).map((entry) => entry.rows);
    const out = new Map<string, Record<string, unknown> | null>();
    for (const [i, key] of keys.entries()) out.set(windowKeyId(key), (await windows[i]).get(String(key.key)) ?? null);
    return out;
  }

  /**
   * The whole windows `keys` fall in, once each, with when this cache stops using each (its read's start + TTL): a
   * cache in front of this one keeps a window until then, no longer, so a row is never used past the TTL.
   */
  async windows(keys: readonly WindowKey[]): Promise<CachedWindow[]> {
    const unique = [...new Map(keys.map((key) => [windowIdOf(key), key])).entries()];
    const entries = this.entries(unique.map(([, key]) => key));
    return Promise.all(
      entries.map(async (entry, i) => ({ id: unique[i][0], rows: await entry.rows, expiresAt: entry.expiresAt })),
    );
  }

  /** The cache entry of each key's window (read now where missing or expired). */
  private entries(keys: readonly WindowKey[]): Entry[] {
    const at = this.now();
    const missing = new Map<string, WindowKey>();
    for (const key of keys) {
      const cached = this.cache.get(windowIdOf(key));
      if (!cached || cached.expiresAt <= at) missing.set(windowIdOf(key), key);
    }
    if (missing.size > 0) this.fetch([...missing.values()], at);
    return keys.map((key) => this.cache.get(windowIdOf(key))!);
  }

  private fetch(windows: WindowKey[], at: number): void {
    if (this.cache.size > 10_000) this.evictExpired(at);
    for (const table of new Set(windows.map((w) => w.table))) {
      const ofTable = windows.filter((w) => w.table === table);
      const read = this.query(ofTable);
      for (const window of ofTable) {
        const id = windowIdOf(window);
        const entry = {
          rows: read.then((ends) => ends.get(window.windowEndMs) ?? new Map()),
          expiresAt: at + this.ttlMs,
        };
        this.cache.set(id, entry);
        entry.rows.catch(() => this.cache.get(id) === entry && this.cache.delete(id));
      }
    }
  }

  /** The rows of some windows of one table, by window end, then by key. */
  private async query(windows: WindowKey[]): Promise<Map<number, WindowRows>> {
    this.queries++;
    return this.useWarehouse((warehouse) => queryWindowRows((sql) => warehouse.query(sql), this.sql, windows));
  }

  private evictExpired(at: number): void {
    for (const [id, entry] of this.cache) if (entry.expiresAt <= at) this.cache.delete(id);
  }
}

/** The window a key's row is in: (window table, key column, window end). */
export function windowIdOf(key: WindowKey): string {
  return `${key.table}\u0000${key.keyColumn}\u0000${key.windowEndMs}`;
}
