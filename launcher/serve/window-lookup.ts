/**
 * Online lookup of window rows in the warehouse, cached for a short time (`ttlMs`): the rows a request needs and the
 * cache does not hold are read in one query per (window table, window end). A key without a row is cached as such.
 * Concurrent requests for the same rows share one query.
 */
import type { FeatureSqlDialect } from "../../io/feature-query";
import type { Warehouse } from "../../io/ports";
import { windowKeyId, type WindowKey } from "../../transforms/score/online-features";

export type UseWarehouse = <T>(run: (warehouse: Warehouse) => Promise<T>) => Promise<T>;

type WindowRow = Record<string, unknown> | null;

interface Entry {
  row: Promise<WindowRow>;
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

  /** The rows of `keys`, by `windowKeyId`. */
  async rows(keys: readonly WindowKey[]): Promise<Map<string, WindowRow>> {
    const at = this.now();
    const missing = new Map<string, WindowKey>();
    for (const key of keys) {
      const id = windowKeyId(key);
      const entry = this.cache.get(id);
      if (!entry || entry.expiresAt <= at) missing.set(id, key);
    }
    if (missing.size > 0) this.fetch([...missing.values()], at + this.ttlMs);
    const out = new Map<string, WindowRow>();
    for (const key of keys) out.set(windowKeyId(key), await this.cache.get(windowKeyId(key))!.row);
    return out;
  }

  private fetch(keys: WindowKey[], expiresAt: number): void {
    for (const group of groupByWindow(keys)) {
      const found = this.query(group);
      // A failed lookup is not cached: the next request asks again.
      found.catch(() => group.forEach((k) => this.cache.delete(windowKeyId(k))));
      for (const key of group) {
        const row = found.then((rows) => rows.get(rowKeyText(key.key)) ?? null);
        row.catch(() => undefined);
        this.cache.set(windowKeyId(key), { row, expiresAt });
      }
    }
    if (this.cache.size > 100_000) this.evictExpired();
  }

  private async query(group: WindowKey[]): Promise<Map<string, Record<string, unknown>>> {
    this.queries++;
    const { table, keyColumn, windowEndMs } = group[0];
    const values = group.map((k) => (typeof k.key === "number" ? String(k.key) : this.sql.literal(k.key)));
    const end = this.sql.instant(new Date(windowEndMs).toISOString());
    const where = `${this.sql.ident("window_end")} = ${end} AND ${this.sql.ident(keyColumn)} IN (${values.join(", ")})`;
    const text = `SELECT * FROM ${this.sql.table(table)} WHERE ${where}`;
    const rows = await this.useWarehouse((warehouse) => warehouse.query(text));
    return new Map(rows.map((r) => [rowKeyText(r[keyColumn]), r]));
  }

  private evictExpired(): void {
    const at = this.now();
    for (const [id, entry] of this.cache) if (entry.expiresAt <= at) this.cache.delete(id);
  }
}

function groupByWindow(keys: WindowKey[]): WindowKey[][] {
  const groups = new Map<string, WindowKey[]>();
  for (const key of keys) {
    const id = `${key.table}\u0000${key.windowEndMs}`;
    groups.set(id, [...(groups.get(id) ?? []), key]);
  }
  return [...groups.values()];
}

function rowKeyText(value: unknown): string {
  return String(value);
}
