/**
 * What the synchronous Cloud Storage calls (`gcs-sync.ts`, the caller's thread) ask their worker thread
 * (`gcs-bridge-worker.ts`) through the shared synchronous bridge (`io/sync-bridge/`). Plain data only: it crosses a
 * MessagePort by structured clone.
 */
import type { SourceObject } from "../../ports";
import type { GcsClientOptions } from "./gcs-client";

export type BridgeOperation =
  | { op: "list"; pattern: string; options: GcsClientOptions }
  | { op: "copy"; uri: string; localPath: string; generation?: string; options: GcsClientOptions };

/** The answer to a `list` (the objects) or a `copy` (the object copied). */
export type BridgeValue = SourceObject[] | SourceObject;
