/**
 * The worker thread of the synchronous window lookup: the prediction server's online lookup (`WindowLookup`, short-TTL
 * cache, one query per window table and window end) over the warehouse (`warehouseAccess`: DuckDB opened per use,
 * BigQuery kept open), answering each request on its MessagePort and waking the blocked DoFn thread. Loaded only by
 * `window-lookup-sync.ts`, from `dist/` (a worker thread runs plain JavaScript).
 */
import { workerData } from "worker_threads";
import { DUCKDB_FEATURE_SQL, bigQueryFeatureSql } from "../../io/feature-query";
import { WindowLookup } from "../../launcher/serve/window-lookup";
import { warehouseAccess } from "../../launcher/serve/warehouse-access";
import {
  ANSWERED_SLOT,
  HEARTBEAT_MS,
  HEARTBEAT_SLOT,
  type LookupReply,
  type LookupRequest,
  type LookupSettings,
  type LookupWorkerData,
} from "./window-lookup-protocol";

const { state, port } = workerData as LookupWorkerData;
/** One lookup (and cache) per warehouse and TTL. */
const lookups = new Map<string, WindowLookup>();

port.on("message", (request: LookupRequest) => void answer(request));
setInterval(() => Atomics.add(state, HEARTBEAT_SLOT, 1), HEARTBEAT_MS);

async function answer(request: LookupRequest): Promise<void> {
  let reply: LookupReply;
  try {
    const rows = await lookupOf(request.settings).rows(request.keys);
    reply = { id: request.id, ok: true, rows: [...rows] };
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
    lookups.set(key, (lookup = new WindowLookup(warehouseAccess(target).use, sql, settings.ttlMs)));
  }
  return lookup;
}
