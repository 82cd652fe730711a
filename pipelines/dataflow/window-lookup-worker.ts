/**
 * The worker thread of the synchronous window lookup: the prediction server's online lookup (`WindowLookup`, short-TTL
 * cache, one query per window table and window end) over the warehouse — as the server uses it: a DuckDB file opened
 * for each use, one use at a time, and tried again while another process holds it; BigQuery opened once and kept —
 * answering each request with the whole windows its keys fall in (and when each expires) on its MessagePort, and
 * waking the blocked DoFn thread. Loaded only by
 * `window-lookup-sync.ts`, from `dist/` (a worker thread runs plain JavaScript).
 */
import { workerData } from "worker_threads";
import { DUCKDB_FEATURE_SQL, bigQueryFeatureSql } from "../../io/feature-query";
import type { Warehouse } from "../../io/ports";
import { WindowLookup, type UseWarehouse } from "../../io/window-lookup";
import {
  ANSWERED_SLOT,
  HEARTBEAT_MS,
  HEARTBEAT_SLOT,
  type LookupReply,
  type LookupRequest,
  type LookupSettings,
  type LookupTarget,
  type LookupWorkerData,
} from "./window-lookup-protocol";
import { withBusyRetries } from "../../io/busy-retries";

const { state, port } = workerData as LookupWorkerData;
/** One lookup (and cache) per warehouse and TTL. */
const lookups = new Map<string, WindowLookup>();

port.on("message", (request: LookupRequest) => void answer(request));
setInterval(() => Atomics.add(state, HEARTBEAT_SLOT, 1), HEARTBEAT_MS);

async function answer(request: LookupRequest): Promise<void> {
  let reply: LookupReply;
  try {
    reply = { id: request.id, ok: true, windows: await lookupOf(request.settings).windows(request.keys) };
  } catch (err) {
    const error = err as Error;
    reply = { id: request.id, ok: false, error: { name: error.name, message: error.message } };
  }
  port.postMessage(reply);
  Atomics.store(state, ANSWERED_SLOT, request.id);
  Atomics.notify(state, ANSWERED_SLOT);
}

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
