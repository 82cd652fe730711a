import * as fs from "fs";
import * as path from "path";
import { copyObjectSync } from "../../io/gcp/gcs/gcs-sync";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { GcsFileSource } from "../../io/gcp/gcs/gcs-file-source";
import type { Bucketed } from "./contenders";

export interface PerObject {
  statMs: number;
  plainDownloadMs: number;
  copyObjectSyncMs: number;
}

/**
 * The fixed cost of one object, apart from its bytes: `calls` sequential metadata GETs (`GcsFileSource.stat`), plain
 * downloads and `copyObjectSync` copies of a 6-byte object, in milliseconds per call.
 */
export async function perObjectCosts(at: Bucketed, dir: string, calls: number): Promise<PerObject> {
  const name = "tiny/hello.txt"; // outside the benchmark's prefix
  const uri = `gs://${at.bucket}/${name}`;
  const file = (await createStorageClient(at.client)).bucket(at.bucket).file(name);
  await file.save("hello\n");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const source = await GcsFileSource.open(at.client);
  const statMs = await msPerCall(calls, () => source.stat(uri));
  const plainDownloadMs = await msPerCall(calls, (i) =>
    file.download({ destination: path.join(dir, `plain-${i}`), validation: false }),
  );
  const copyObjectSyncMs = await msPerCall(calls, (i) => copyObjectSync(uri, path.join(dir, `sync-${i}`), at.client));
  await file.delete();
  return { statMs, plainDownloadMs, copyObjectSyncMs };
}

async function msPerCall(calls: number, call: (i: number) => unknown): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call(i);
  return Number(process.hrtime.bigint() - started) / 1e6 / calls;
}
