/**
 * What the synchronous window lookup (`window-lookup-sync.ts`, a worker's DoFn thread) asks its worker thread
 * (`window-lookup-worker.ts`) through the shared synchronous bridge (`io/sync-bridge/`). Plain data only: it crosses a
 * MessagePort by structured clone.
 */
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
  settings: LookupSettings;
  keys: WindowKey[];
}

/** The answer: the whole windows the request's keys fall in, each with when the worker's cache stops using it. */
export type LookupValue = CachedWindow[];
