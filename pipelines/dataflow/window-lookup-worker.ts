/**
 * The worker thread of the synchronous window lookup: the prediction server's online lookup (`WindowLookup`, short-TTL
 * cache, one query per window table and window end) over the warehouse — as the server uses it: a DuckDB file opened
 * for each use, one use at a time, and tried again while another process holds it; BigQuery opened once and kept —
 * answering each request of the shared synchronous bridge (`io/sync-bridge/serve.ts`) with the whole windows its keys
 * fall in (and when each expires). Loaded only through `window-lookup-sync.ts`'s bridge, from `dist/` (a worker thread
 * runs plain JavaScript).
 */
import { DUCKDB_FEATURE_SQL, bigQueryFeatureSql } from "../../io/feature-query";
import type { Warehouse } from "../../io/ports";
import { serveSyncBridge } from "../../io/sync-bridge/serve";
import { WindowLookup, type UseWarehouse } from "../../io/window-lookup";
import type { LookupRequest, LookupSettings, LookupTarget, LookupValue } from "./window-lookup-protocol";
import { withBusyRetries } from "../../io/busy-retries";

/** One lookup (and cache) per warehouse and TTL. */
const lookups = new Map<string, WindowLookup>();

serveSyncBridge<LookupRequest, LookupValue>((request) => lookupOf(request.settings).windows(request.keys));

function lookupOf(settings: LookupSettings): WindowLookup {
  const key = JSON.stringify(settings);
  let lookup = lookups.get(key);
  if (!lookup) {
    const { target } = settings;
    const sql = target.kind === "duckdb" ? DUCKDB_FEATURE_SQL : bigQueryFeatureSql();
    lookups.set(key, (lookup = new WindowLookup(useOf(target), sql, settings.ttlMs)));
  }
  return lookup;
}

function useOf(target: LookupTarget): UseWarehouse {
  if (target.kind === "bigquery") {
    const { kind: _kind, ...options } = target;
    let opened: Promise<Warehouse> | undefined;
    const open = async () => (await import("../../io/gcp/bigquery/bigquery-warehouse")).BigQueryWarehouse.open(options);
    return async (run) => run(await (opened ??= open()));
  }
  let queue: Promise<unknown> = Promise.resolve();
  return (run) => {
    const next = queue.then(() => withBusyRetries(() => withDuckDb(target.file, run)));
    queue = next.catch(() => undefined);
    return next;
  };
}

async function withDuckDb<T>(file: string, run: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await (await import("../../io/local/duckdb-warehouse")).DuckDbWarehouse.open(file);
  try {
    return await run(warehouse);
  } finally {
    await warehouse.close();
  }
}
