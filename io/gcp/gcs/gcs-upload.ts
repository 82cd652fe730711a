import { FileSourceError } from "../../errors";
import { parseGcsUri } from "../../identifiers/storage";
import { createStorageClient, type GcsClientOptions } from "./gcs-client";

/** Uploads one local file to `gs://bucket/object` (the name checked first); a refused upload is `FileSourceError`. */
export async function uploadFile(file: string, uri: string, options: GcsClientOptions = {}): Promise<void> {
  const { bucket, object } = parseGcsUri(uri);
  const storage = await createStorageClient(options);
  try {
    await storage.bucket(bucket).upload(file, { destination: object });
  } catch (err) {
    throw new FileSourceError(`upload to ${uri} failed: ${(err as Error).message}`, uri, { cause: err });
  }
}
