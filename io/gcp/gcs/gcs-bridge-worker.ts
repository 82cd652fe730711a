/**
 * The worker thread of the synchronous Cloud Storage calls (`gcs-sync.ts`): it runs the async Google client (through
 * `GcsFileSource`) for each request of the shared synchronous bridge (`io/sync-bridge/serve.ts`). Loaded only through
 * the bridge, from `dist/` (a worker thread runs plain JavaScript).
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import { FileSourceError } from "../../errors";
import type { SourceObject } from "../../ports";
import { serveSyncBridge } from "../../sync-bridge/serve";
import type { BridgeOperation, BridgeValue } from "./gcs-bridge-protocol";
import type { GcsClientOptions } from "./gcs-client";
import { GcsFileSource } from "./gcs-file-source";

/** One client per endpoint and project: building one loads credentials, which must not happen per object. */
const sources = new Map<string, Promise<GcsFileSource>>();

serveSyncBridge<BridgeOperation, BridgeValue>(perform);

async function perform(request: BridgeOperation): Promise<BridgeValue> {
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
