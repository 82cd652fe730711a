/**
 * What the synchronous window lookup (`window-lookup-sync.ts`, a worker's DoFn thread) and its worker thread
 * (`window-lookup-worker.ts`) say to each other. Plain data only: it crosses a MessagePort by structured clone.
 */
import type { MessagePort } from "worker_threads";
import type { CachedWindow } from "../../io/window-lookup";
import type { WindowKey } from "../../transforms/score/online-features";

/** Where the window tables are read, as plain data: the warehouse target of the launcher (`launcher/warehouse.ts`). */
export type LookupTarget =
  | { kind: "duckdb"; file: string }
  | { kind: "bigquery"; projectId: string; dataset: string; location?: string; apiEndpoint?: string };

export interface LookupSettings {
  target: LookupTarget;
  /** How long a window read from the warehouse is used before it is read again. */
  ttlMs: number;
}

export interface LookupRequest {
  id: number;
  settings: LookupSettings;
  keys: WindowKey[];
}

/** The whole windows the request's keys fall in, each with when the worker's cache stops using it. */
export type LookupReply =
  | { id: number; ok: true; windows: CachedWindow[] }
  | { id: number; ok: false; error: { name: string; message: string } };

/** Slots of the Int32Array both threads share: the id of the last answered request, and the worker's heartbeat. */
export const ANSWERED_SLOT = 0;
export const HEARTBEAT_SLOT = 1;
export const STATE_SLOTS = 2;
export const HEARTBEAT_MS = 100;
/** The main thread gives up on a worker whose beat stopped for this long. */
export const STALL_MS = 15_000;

export interface LookupWorkerData {
  state: Int32Array;
  port: MessagePort;
}
