import * as fs from "fs";
import * as path from "path";
import { copyObjectSync, listObjectsSync } from "../../io/gcp/gcs/gcs-sync";
import { createStorageClient, type GcsClientOptions } from "../../io/gcp/gcs/gcs-client";
import { openFileSource, stageInput } from "../../io/stage-input";

/** What one contender copied: every object of the prefix, listed then downloaded into a fresh folder. */
export interface Copied {
  objects: number;
  bytes: number;
}

export interface Bucketed {
  client: GcsClientOptions;
  bucket: string;
  prefix: string;
}

/** The product's staging of a `gs://` input: `stageInput` over `GcsFileSource` (4 objects at a time). */
export async function viaStageInput(at: Bucketed, dir: string): Promise<Copied> {
  const pattern = `gs://${at.bucket}/${at.prefix}`;
  const staged = await stageInput(await openFileSource(pattern, { gcs: at.client }), pattern, dir);
  return { objects: staged.files.length, bytes: staged.files.reduce((sum, f) => sum + f.size, 0) };
}

/** The synchronous bridge a Dataflow worker uses: one blocking list, then one blocking copy per object. */
export function viaSyncBridge(at: Bucketed, dir: string): Copied {
  fs.mkdirSync(dir, { recursive: true });
  const objects = listObjectsSync(`gs://${at.bucket}/${at.prefix}`, at.client);
  for (const object of objects)
    copyObjectSync(object.uri, path.join(dir, object.name), { ...at.client, generation: object.generation });
  return { objects: objects.length, bytes: objects.reduce((sum, o) => sum + o.size, 0) };
}

/**
 * The baseline: `@google-cloud/storage` as its documentation shows it — list the prefix, then `file.download({
 * destination })` for each object, `concurrency` at a time (1: a plain loop). `validate`: the client's default CRC32C
 * check of each whole object (the adapters' reads pass a byte range, which turns that check off in the client).
 */
export async function plainDownloads(
  at: Bucketed,
  dir: string,
  concurrency: number,
  validate: boolean,
): Promise<Copied> {
  fs.mkdirSync(dir, { recursive: true });
  const bucket = (await createStorageClient(at.client)).bucket(at.bucket);
  const [files] = await bucket.getFiles({ prefix: at.prefix });
  const queue = [...files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift())
      await file.download({
        destination: path.join(dir, file.name.slice(at.prefix.length)),
        validation: validate ? "crc32c" : false,
      });
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { objects: files.length, bytes: files.reduce((sum, f) => sum + Number(f.metadata.size), 0) };
}
