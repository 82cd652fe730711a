import * as fs from "fs";
import * as path from "path";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { GcsFileSource } from "../../io/gcp/gcs/gcs-file-source";
import { FolderSource } from "../../io/local/folder-source";
import { startTestGcsEmulator, type TestGcsEmulator } from "../support/gcs-emulator";
import { unmet } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { fileSourceSuite, type FileSourceFixture } from "./file-source.suite";
import { targetSelected } from "./targets";

// Small pages, so 25 objects cross several of them (Cloud Storage's own maximum is 1,000).
const PAGE_SIZE = 4;

if (targetSelected("local")) {
  const work = useTempDir("file-source");
  let cases = 0;
  const localFixture = async (): Promise<FileSourceFixture> => {
    const root = path.join(work().dir, `case-${++cases}`);
    fs.mkdirSync(root);
    const put = async (name: string, bytes: Uint8Array | string) => {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), bytes);
    };
    return { source: new FolderSource(), root, put };
  };
  fileSourceSuite("local folder", localFixture, {
    "staging refuses names that escape the folder":
      "a file system cannot hold such names: `a/../x` and `a//x` resolve to other paths when the file is created",
  });
}

if (targetSelected("emulator")) {
  const missing = unmet("gcs-emulator");
  const available = missing === undefined;
  fileSourceSuite(
    "Cloud Storage on fake-gcs-server, filesystem backend",
    gcsFixture(useGcsEmulator("filesystem", available)),
    available
      ? {
          "staging refuses names that escape the folder":
            "fake-gcs-server's filesystem backend cleans object names (`a//x` is stored as `a/x`, and `a/../../x` is written to `<filesystem-root>/x`, outside the bucket's folder); the memory backend below runs it",
        }
      : missing,
  );
  fileSourceSuite(
    "Cloud Storage on fake-gcs-server, memory backend",
    gcsFixture(useGcsEmulator("memory", available)),
    missing ?? {},
  );
}

function useTempDir(prefix: string): () => { dir: string } {
  let work: ReturnType<typeof tempDir> | undefined;
  beforeAll(() => void (work = tempDir(prefix)));
  afterAll(() => work?.cleanup());
  return () => work!;
}

/** One emulator for the whole file (per backend), started before the first case and stopped after the last. */
function useGcsEmulator(backend: "filesystem" | "memory", available: boolean): () => TestGcsEmulator {
  let emulator: TestGcsEmulator | undefined;
  beforeAll(async () => void (emulator = available ? await startTestGcsEmulator(backend) : undefined));
  afterAll(async () => emulator?.stop());
  return () => {
    if (!emulator) throw new Error("fake-gcs-server did not start (the reason is printed above)");
    return emulator;
  };
}

/** Each case gets a new bucket on the emulator. */
function gcsFixture(emulator: () => TestGcsEmulator): () => Promise<FileSourceFixture> {
  let cases = 0;
  return async () => {
    const { endpoint } = emulator();
    const storage = await createStorageClient({ projectId: "rox-test", apiEndpoint: endpoint });
    const bucket = `rox-case-${++cases}`;
    await storage.createBucket(bucket);
    const put = async (name: string, bytes: Uint8Array | string) =>
      void (await storage.bucket(bucket).file(name).save(Buffer.from(bytes), { resumable: false }));
    return {
      source: await GcsFileSource.open({ projectId: "rox-test", apiEndpoint: endpoint, pageSize: PAGE_SIZE }),
      root: `gs://${bucket}`,
      put,
    };
  };
}
