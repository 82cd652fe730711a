import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Storage } from "@google-cloud/storage";
import { FileNotFoundError, FileSourceError } from "../../io/errors";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { copyObjectSync, listObjectsSync, stopGcsSync } from "../../io/gcp/gcs/gcs-sync";
import { InvalidIdentifierError } from "../../io/identifiers/project";
import { startTestGcsEmulator, type TestGcsEmulator } from "../support/gcs-emulator";
import { tempDir } from "../support/temp";
import { itNeeds } from "../support/prerequisites";

// The synchronous Cloud Storage calls DoFns use (a worker thread runs the async client), against fake-gcs-server.
// They need dist/ (npm run build): the worker thread loads the compiled bridge.
const it_ = itNeeds("gcs-emulator");
const BUCKET = "rox-sync";
let emulator: TestGcsEmulator | undefined;
let storage: Storage;
let work: ReturnType<typeof tempDir>;
const big = randomBytes(3 << 20);
const options = () => ({ projectId: "rox-test", apiEndpoint: emulator!.endpoint });

beforeAll(async () => {
  work = tempDir("gcs-sync");
  emulator = await startTestGcsEmulator("memory");
  if (!emulator) return;
  storage = await createStorageClient(options());
  await storage.createBucket(BUCKET);
  const objects: [string, string | Buffer][] = [
    ["in/a.jsonl", "{}\n"],
    ["in/b c/é.jsonl", '{"x":1}\n'],
    ["in/_SUCCESS", ""],
    ["in/big.bin", big],
    ["other/x.jsonl", "{}\n"],
  ];
  for (const [name, bytes] of objects) await storage.bucket(BUCKET).file(name).save(bytes, { resumable: false });
});
afterAll(async () => {
  await stopGcsSync();
  await emulator?.stop();
  work.cleanup();
});

it_("lists a prefix and a glob synchronously, names with spaces and é included, markers left out", () => {
  const below = listObjectsSync(`gs://${BUCKET}/in/`, options());
  expect(below.map((o) => [o.name, o.uri, o.size])).toStrictEqual([
    ["a.jsonl", `gs://${BUCKET}/in/a.jsonl`, 3],
    ["b c/é.jsonl", `gs://${BUCKET}/in/b c/é.jsonl`, 8],
    ["big.bin", `gs://${BUCKET}/in/big.bin`, big.length],
  ]);
  expect(listObjectsSync(`gs://${BUCKET}/in/**/*.jsonl`, options()).map((o) => o.name)).toStrictEqual([
    "a.jsonl",
    "b c/é.jsonl",
  ]);
  expect(listObjectsSync(`gs://${BUCKET}/nothing/*.jsonl`, options())).toStrictEqual([]);
});

it_("copies an object byte for byte, the generation listed, into a path with spaces and é", () => {
  const [listed] = listObjectsSync(`gs://${BUCKET}/in/big.bin`, options());
  const target = path.join(work.dir, "dé st", "big.bin");
  fs.mkdirSync(path.dirname(target));
  const copied = copyObjectSync(listed.uri, target, { ...options(), generation: listed.generation });
  expect(copied).toMatchObject({ uri: listed.uri, size: big.length, generation: listed.generation });
  expect(sha256(fs.readFileSync(target))).toBe(sha256(big));
  expect(fs.readdirSync(path.dirname(target))).toStrictEqual(["big.bin"]);
  const unicode = path.join(work.dir, "é.jsonl");
  copyObjectSync(`gs://${BUCKET}/in/b c/é.jsonl`, unicode, options());
  expect(fs.readFileSync(unicode, "utf8")).toBe('{"x":1}\n');
});

it_("a missing object, generation or bucket is FileNotFoundError; nothing is left behind", () => {
  const target = path.join(work.dir, "missing.jsonl");
  const missing = thrownBy(() => copyObjectSync(`gs://${BUCKET}/in/none.jsonl`, target, options()));
  expect(missing).toBeInstanceOf(FileNotFoundError);
  expect(missing).toMatchObject({
    uri: `gs://${BUCKET}/in/none.jsonl`,
    message: `not found: gs://${BUCKET}/in/none.jsonl`,
  });
  expect(
    thrownBy(() => copyObjectSync(`gs://${BUCKET}/in/a.jsonl`, target, { ...options(), generation: "1" })),
  ).toBeInstanceOf(FileNotFoundError);
  const noBucket = thrownBy(() => listObjectsSync("gs://rox-no-such-bucket/x/*.jsonl", options()));
  expect(noBucket).toBeInstanceOf(FileNotFoundError);
  expect(noBucket).toMatchObject({
    uri: "gs://rox-no-such-bucket",
    message: "not found: gs://rox-no-such-bucket (no such bucket)",
  });
  expect(fs.existsSync(target)).toBe(false);
  expect(fs.readdirSync(work.dir).filter((name) => name.endsWith(".part"))).toStrictEqual([]);
});

it_("other failures are FileSourceError with the cause; a bad URI fails before any call", () => {
  const existing = path.join(work.dir, "existing.jsonl");
  fs.writeFileSync(existing, "mine\n");
  const exists = thrownBy(() => copyObjectSync(`gs://${BUCKET}/in/a.jsonl`, existing, options()));
  expect(exists).toBeInstanceOf(FileSourceError);
  expect(exists).toMatchObject({
    uri: `gs://${BUCKET}/in/a.jsonl`,
    message: `cannot copy gs://${BUCKET}/in/a.jsonl to ${existing}: the file exists`,
  });
  expect(fs.readFileSync(existing, "utf8")).toBe("mine\n");
  const noFolder = thrownBy(() =>
    copyObjectSync(`gs://${BUCKET}/in/a.jsonl`, path.join(work.dir, "no-dir", "a.jsonl"), options()),
  );
  expect(noFolder).toBeInstanceOf(FileSourceError);
  expect((noFolder as Error).cause).toMatchObject({ message: expect.stringContaining("ENOENT") });
  expect(thrownBy(() => listObjectsSync("gs://Bad_Bucket/x", options()))).toBeInstanceOf(InvalidIdentifierError);
});

function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
