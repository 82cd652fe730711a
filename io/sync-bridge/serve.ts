/**
 * The worker thread's side of a synchronous bridge (`sync-bridge.ts`): each request on the bridge's MessagePort is
 * performed (async), its value or error posted back, and the blocked caller woken through the shared state; the
 * worker's event loop beats meanwhile, so the caller can tell a slow request from a dead worker. Called once, at the
 * top of a worker module.
 */
import { workerData } from "worker_threads";
import {
  ANSWERED_SLOT,
  HEARTBEAT_MS,
  HEARTBEAT_SLOT,
  type RemoteError,
  type SyncBridgeWorkerData,
  type SyncReply,
  type SyncRequest,
} from "./protocol";

export function serveSyncBridge<Request extends object, Value>(perform: (request: Request) => Promise<Value>): void {
  const { state, port } = workerData as SyncBridgeWorkerData;
  const answer = async (request: SyncRequest<Request>): Promise<void> => {
    let reply: SyncReply<Value>;
    try {
      reply = { id: request.id, ok: true, value: await perform(request) };
    } catch (err) {
      reply = { id: request.id, ok: false, error: remoteError(err) };
    }
    port.postMessage(reply);
    Atomics.store(state, ANSWERED_SLOT, request.id);
    Atomics.notify(state, ANSWERED_SLOT);
  };
  port.on("message", (request: SyncRequest<Request>) => void answer(request));
  setInterval(() => Atomics.add(state, HEARTBEAT_SLOT, 1), HEARTBEAT_MS);
}

function remoteError(err: unknown): RemoteError {
  const e = err instanceof Error ? err : new Error(String(err));
  const uri = (e as { uri?: unknown }).uri;
  return { name: e.name, message: e.message, stack: e.stack, uri: typeof uri === "string" ? uri : undefined };
}
