/**
 * What the synchronous Cloud Storage bridge (`gcs-sync-bridge.ts`, main thread) and its worker thread
 * (`gcs-bridge-worker.ts`) say to each other. Plain data only: it crosses a MessagePort by structured clone.
 */
import type { MessagePort } from "worker_threads";
import type { SourceObject } from "../../ports";
import type { GcsClientOptions } from "./gcs-client";

export type BridgeOperation =
  | { op: "list"; pattern: string; options: GcsClientOptions }
  | { op: "copy"; uri: string; localPath: string; generation?: string; options: GcsClientOptions };

export type BridgeRequest = BridgeOperation & { id: number };

export type BridgeReply =
  { id: number; ok: true; value: SourceObject[] | SourceObject } | { id: number; ok: false; error: RemoteError };

/** An error thrown in the worker, as data: the main thread rebuilds the typed error from it. */
export interface RemoteError {
  name: string;
  message: string;
  stack?: string;
  /** `FileNotFoundError` / `FileSourceError`: the URI they name. */
  uri?: string;
}

/** Slots of the Int32Array both threads share: the id of the last answered request, and the worker's heartbeat. */
export const ANSWERED_SLOT = 0;
export const HEARTBEAT_SLOT = 1;
export const STATE_SLOTS = 2;
/** How often the worker beats; the main thread gives up on a worker whose beat stopped for `STALL_MS`. */
export const HEARTBEAT_MS = 100;
export const STALL_MS = 15_000;

export interface BridgeWorkerData {
  state: Int32Array;
  /** Requests arrive and replies leave here (the main thread reads them with receiveMessageOnPort). */
  port: MessagePort;
}
