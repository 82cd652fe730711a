/**
 * Cloud Storage for code that must stay synchronous — Beam DoFns on a worker. Each call blocks until the synchronous
 * bridge's worker thread (`io/sync-bridge/`, `gcs-bridge-worker.ts`) has done it with the async client: one worker per
 * process, so the client library is loaded and credentials are fetched once, not per call. Errors are the file-source
 * role's typed errors: `FileNotFoundError` for a missing object or bucket, `FileSourceError` for anything else.
 */
import * as path from "path";
import { FileNotFoundError, FileSourceError } from "../../errors";
import { parseGcsUri } from "../../identifiers/storage";
import type { SourceObject } from "../../ports";
import { SyncBridge } from "../../sync-bridge/sync-bridge";
import type { RemoteError } from "../../sync-bridge/protocol";
import type { BridgeOperation, BridgeValue } from "./gcs-bridge-protocol";
import type { GcsClientOptions } from "./gcs-client";

/** Compiled with the project: a worker thread runs JavaScript, resolved through package.json `exports` (dist/). */
const BRIDGE = {
  workerModule: "rox-gcp/io/gcp/gcs/gcs-bridge-worker",
  name: "the Cloud Storage bridge",
  error: (message: string, cause?: unknown) => new FileSourceError(message, "", cause ? { cause } : undefined),
};

let bridge: SyncBridge<BridgeOperation, BridgeValue> | undefined;

/** The objects matching `gs://bucket/prefix/glob` (the rules of `GcsFileSource.list`), sorted by name; [] for none. */
export function listObjectsSync(pattern: string, options: GcsClientOptions = {}): SourceObject[] {
  parseGcsUri(pattern);
  return call({ op: "list", pattern, options: clientOptions(options) }, pattern) as SourceObject[];
}

/**
 * Copies one object to `localPath` (which must not exist; its folder must) and returns what was copied. With
 * `generation`, exactly that version is read, so a copy always matches its listing or fails.
 */
export function copyObjectSync(
  uri: string,
  localPath: string,
  options: GcsClientOptions & { generation?: string } = {},
): SourceObject {
  parseGcsUri(uri);
  const { generation, ...client } = options;
  return call(
    { op: "copy", uri, localPath: path.resolve(localPath), generation, options: clientOptions(client) },
    uri,
  ) as SourceObject;
}

/** Ends the bridge's worker thread, if one was started (tests; a worker process may simply exit). */
export async function stopGcsSync(): Promise<void> {
  const running = bridge;
  bridge = undefined;
  await running?.stop();
}

function call(operation: BridgeOperation, uri: string): SourceObject[] | SourceObject {
  if (!bridge?.usable) bridge = SyncBridge.start(BRIDGE);
  const reply = bridge.call(operation);
  if (reply.ok) return reply.value;
  throw rebuildError(reply.error, uri);
}

/** Only plain values cross to the worker thread. */
function clientOptions(options: GcsClientOptions): GcsClientOptions {
  return { projectId: options.projectId, apiEndpoint: options.apiEndpoint };
}

function rebuildError(remote: RemoteError, uri: string): Error {
  const cause = Object.assign(new Error(remote.message), { name: remote.name, stack: remote.stack });
  const named = remote.uri ?? uri;
  if (remote.name === "FileNotFoundError")
    return new FileNotFoundError(named, { cause, detail: notFoundDetail(remote.message, named) });
  if (remote.name === "FileSourceError") return new FileSourceError(remote.message, named, { cause });
  return new FileSourceError(`Cloud Storage call for ${uri} failed: ${remote.message}`, uri, { cause });
}

/** `not found: gs://b (no such bucket)` → `no such bucket`, so the rebuilt error reads like the original. */
function notFoundDetail(message: string, uri: string): string | undefined {
  const rest = message.slice(`not found: ${uri}`.length);
  return /^ \((.*)\)$/.exec(rest)?.[1];
}
