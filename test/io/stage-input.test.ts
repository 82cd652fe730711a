import * as fs from "fs";
import * as path from "path";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { GcsFileSource } from "../../io/gcp/gcs/gcs-file-source";
import { FileNotFoundError, FileSourceError } from "../../io/errors";
import { FolderSource } from "../../io/local/folder-source";
import { listInputFiles } from "../../io/files/list-files";
import { openFileSource, stageInput } from "../../io/stage-input";
import { startTestGcsEmulator, type TestGcsEmulator } from "../support/gcs-emulator";
import { tempDir } from "../support/temp";
import { itNeeds } from "../support/prerequisites";

const it_ = itNeeds("gcs-emulator");

describe("stageInput", () => {
  let emulator: TestGcsEmulator | undefined;
  let work: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    work = tempDir("stage-input");
    // The memory backend keeps names as Cloud Storage does (the filesystem backend cannot hold both `a` and `a/b`).
    emulator = await startTestGcsEmulator("memory");
  });
  afterAll(async () => {
    await emulator?.stop();
    work.cleanup();
  });

  const bucketWith = async (bucket: string, objects: Record<string, string>) => {
    const storage = await createStorageClient({ projectId: "rox-test", apiEndpoint: emulator!.endpoint });
    await storage.createBucket(bucket);
    for (const [name, text] of Object.entries(objects))
      await storage.bucket(bucket).file(name).save(text, { resumable: false });
  };
  const open = (input: string) =>
    openFileSource(input, { gcs: { projectId: "rox-test", apiEndpoint: emulator!.endpoint } });

  test("openFileSource picks the source from the scheme", async () => {
    expect(await openFileSource("data/flights/*.jsonl")).toBeInstanceOf(FolderSource);
    expect(await openFileSource("/abs/path")).toBeInstanceOf(FolderSource);
    expect(
      await openFileSource("gs://rox-data/in/*.jsonl", { gcs: { apiEndpoint: "http://127.0.0.1:9" } }),
    ).toBeInstanceOf(GcsFileSource);
  });

  it_(
    "stages gs:// objects so the local listing finds them in the same order, each mapped back to its gs:// URI",
    async () => {
      const days = Object.fromEntries(
        Array.from({ length: 12 }, (_, i) => [
          `in/2001-01-${String(i + 1).padStart(2, "0")}.jsonl`,
          `{"day": ${i + 1}}\n`,
        ]),
      );
      await bucketWith("rox-stage", {
        ...days,
        "in/_SUCCESS": "",
        "in/readme.txt": "not data",
        "other/2001-02-01.jsonl": "{}\n",
      });
      const input = "gs://rox-stage/in/*.jsonl";
      const staged = await stageInput(await open(input), input, path.join(work.dir, "days"));
      expect(listInputFiles(staged.dir)).toStrictEqual(staged.files.map((f) => f.localPath));
      expect(staged.files.map((f) => f.uri)).toStrictEqual(Object.keys(days).map((name) => `gs://rox-stage/${name}`));
      for (const file of staged.files)
        expect(fs.readFileSync(file.localPath, "utf8")).toBe(days[file.uri.slice("gs://rox-stage/".length)]);
    },
  );

  it_("refuses an object whose name another object uses as a folder, before writing anything", async () => {
    await bucketWith("rox-clash", { "in/a": "file", "in/a/b.jsonl": "{}\n" });
    const dir = path.join(work.dir, "clash");
    await expect(stageInput(await open("gs://rox-clash/in"), "gs://rox-clash/in", dir)).rejects.toThrow(
      FileSourceError,
    );
    expect(fs.existsSync(dir)).toBe(false);
  });

  it_("a missing bucket is FileNotFoundError naming the bucket", async () => {
    const staging = stageInput(
      await open("gs://rox-missing/in"),
      "gs://rox-missing/in",
      path.join(work.dir, "missing"),
    );
    await expect(staging).rejects.toThrow(FileNotFoundError);
    await expect(staging).rejects.toMatchObject({ uri: "gs://rox-missing" });
  });

  test("a pattern that matches nothing stages nothing", async () => {
    const staged = await stageInput(
      new FolderSource(),
      path.join(work.dir, "no-such-folder", "*.jsonl"),
      path.join(work.dir, "empty"),
    );
    expect(staged.files).toStrictEqual([]);
  });
});
