/**
 * What a synchronous bridge (`sync-bridge.ts`, the blocked caller's thread) and its worker thread (`serve.ts`) say to
 * each other, whatever they carry: a request with an id, a reply with the same id — a value or the worker's error as
 * data. Plain data only: it crosses a MessagePort by structured clone.
 */
import type { MessagePort } from "worker_threads";

export type SyncRequest<Request> = Request & { id: number };

export type SyncReply<Value> = { id: number; ok: true; value: Value } | { id: number; ok: false; error: RemoteError };

/** An error thrown in the worker, as data: the caller rebuilds its typed error from it. */
export interface RemoteError {
  name: string;
  message: string;
  stack?: string;
  /** A `uri` the error named (the file source's `FileNotFoundError` / `FileSourceError`). */
  uri?: string;
}

/** Slots of the Int32Array both threads share: the id of the last answered request, and the worker's heartbeat. */
export const ANSWERED_SLOT = 0;
export const HEARTBEAT_SLOT = 1;
export const STATE_SLOTS = 2;
/** How often the worker beats; the caller gives up on a worker whose beat stopped for `STALL_MS`. */
export const HEARTBEAT_MS = 100;
export const STALL_MS = 15_000;

export interface SyncBridgeWorkerData {
  state: Int32Array;
  /** Requests arrive and replies leave here (the caller reads them with receiveMessageOnPort). */
  port: MessagePort;
}
