/**
 * The worker thread of the synchronous Cloud Storage bridge: it runs the async Google client (through
 * `GcsFileSource`) and answers each request on its MessagePort, then wakes the blocked main thread through the
 * shared state. Loaded only by `gcs-sync-bridge.ts`, from `dist/` (a worker thread runs plain JavaScript).
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import { workerData } from "worker_threads";
import { FileSourceError } from "../../errors";
import type { SourceObject } from "../../ports";
import {
  ANSWERED_SLOT,
  HEARTBEAT_MS,
  HEARTBEAT_SLOT,
  type BridgeReply,
  type BridgeRequest,
  type BridgeWorkerData,
  type RemoteError,
} from "./gcs-bridge-protocol";
import type { GcsClientOptions } from "./gcs-client";
import { GcsFileSource } from "./gcs-file-source";

const { state, port } = workerData as BridgeWorkerData;
/** One client per endpoint and project: building one loads credentials, which must not happen per object. */
const sources = new Map<string, Promise<GcsFileSource>>();

port.on("message", (request: BridgeRequest) => void answer(request));
setInterval(() => Atomics.add(state, HEARTBEAT_SLOT, 1), HEARTBEAT_MS);

async function answer(request: BridgeRequest): Promise<void> {
  let reply: BridgeReply;
  try {
    reply = { id: request.id, ok: true, value: await perform(request) };
  } catch (err) {
    reply = { id: request.id, ok: false, error: describe(err) };
  }
  port.postMessage(reply);
  Atomics.store(state, ANSWERED_SLOT, request.id);
  Atomics.notify(state, ANSWERED_SLOT);
}

async function perform(request: BridgeRequest): Promise<SourceObject[] | SourceObject> {
  const source = await sourceFor(request.options);
  if (request.op === "list") return source.list(request.pattern);
  return copy(source, request.uri, request.localPath, request.generation);
}

function sourceFor(options: GcsClientOptions): Promise<GcsFileSource> {
  const key = JSON.stringify([options.projectId ?? null, options.apiEndpoint ?? null]);
  let source = sources.get(key);
  if (!source) {
    sources.set(key, (source = GcsFileSource.open(options)));
    source.catch(() => sources.delete(key));
  }
  return source;
}

/** Copies one generation of an object into a hidden part file beside `localPath`, then renames it: never a torn file. */
async function copy(source: GcsFileSource, uri: string, localPath: string, generation?: string): Promise<SourceObject> {
  if (fs.existsSync(localPath)) throw new FileSourceError(`cannot copy ${uri} to ${localPath}: the file exists`, uri);
  const object = await source.stat(uri, generation);
  const part = path.join(path.dirname(localPath), `.copy-${randomBytes(6).toString("hex")}.part`);
  try {
    await pipeline(
      await source.read(uri, { generation: object.generation }),
      fs.createWriteStream(part, { flags: "wx" }),
    );
    const written = fs.statSync(part).size;
    if (written !== object.size)
      throw new FileSourceError(
        `${uri} changed while it was copied: ${object.size} bytes listed, ${written} read`,
        uri,
      );
    fs.renameSync(part, localPath);
    return object;
  } finally {
    fs.rmSync(part, { force: true });
  }
}

function describe(err: unknown): RemoteError {
  const e = err instanceof Error ? err : new Error(String(err));
  const uri = (e as { uri?: unknown }).uri;
  return { name: e.name, message: e.message, stack: e.stack, uri: typeof uri === "string" ? uri : undefined };
}
