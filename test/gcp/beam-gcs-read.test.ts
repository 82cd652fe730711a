import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import * as beam from "../../transforms/beam/sdk";
import type { Decoded, Outcome } from "../../transforms/envelope";
import { FileNotFoundError } from "../../io/errors";
import {
  inputPattern,
  keyByUri,
  listInputObjects,
  objectsOfGroup,
  readObjectRecords,
  type InputObject,
} from "../../io/gcp/gcs/beam-gcs-files";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { stopGcsSync } from "../../io/gcp/gcs/gcs-sync";
import { JsonLinesFileSink } from "../../io/files/beam-files";
import { readJsonLines } from "../../io/files/json-lines";
import { InputError } from "../../io/errors";
import { detectFormat, planSplits, readSplit } from "../../io/files/splits";
import { injectFaults } from "../../tools/sample/faults";
import { writeFlightSample } from "../../tools/sample/flights";
import { runDirect } from "../../pipelines/direct";
import { startTestGcsEmulator, type TestGcsEmulator } from "../support/gcs-emulator";
import { tempDir } from "../support/temp";
import { itNeeds } from "../support/prerequisites";

// The Dataflow batch graph's reading steps on the DirectRunner: list a gs:// pattern, copy each object through the
// synchronous bridge, decode it. Real flights (JSON lines and Parquet) and a file of faults, in fake-gcs-server.
const it_ = itNeeds("gcs-emulator");
const BUCKET = "rox-read";
let emulator: TestGcsEmulator | undefined;
let work: ReturnType<typeof tempDir>;
/** Each uploaded object's gs:// URI and the local file it was uploaded from. */
const uploaded = new Map<string, string>();
let faultLines: ReturnType<typeof injectFaults>;
/** The files that were uploaded, as a local input. */
let local: string;
const storage = () => ({ projectId: "rox-test", apiEndpoint: emulator!.endpoint });

beforeAll(async () => {
  work = tempDir("beam-gcs-read");
  local = path.join(work.dir, "local");
  const jsonl = await writeFlightSample({
    outDir: local,
    format: "jsonl",
    by: "day",
    from: "2001-01-08",
    to: "2001-01-09",
    limit: 2500,
  });
  const parquet = await writeFlightSample({
    outDir: local,
    format: "parquet",
    by: "day",
    from: "2001-01-09",
    to: "2001-01-10",
    limit: 2500,
  });
  faultLines = injectFaults([...readJsonLines(jsonl.files[0].path)].slice(0, 20), 3);
  const faults = path.join(local, "faults.jsonl");
  fs.writeFileSync(faults, faultLines.map((f) => f.line).join("\n") + "\n");
  emulator = await startTestGcsEmulator("memory");
  if (!emulator) return;
  const client = await createStorageClient(storage());
  await client.createBucket(BUCKET);
  const names: [string, string][] = [
    [jsonl.files[0].path, "events/day 8/é.jsonl"],
    [parquet.files[0].path, "events/flights.parquet"],
    [faults, "events/faults.jsonl"],
  ];
  for (const [file, name] of names) {
    await client.bucket(BUCKET).upload(file, { destination: name });
    uploaded.set(`gs://${BUCKET}/${name}`, file);
  }
  // Outside the input pattern: never read. A name without a known extension: only with an explicit format.
  await client.bucket(BUCKET).file("elsewhere/ignored.jsonl").save("{}\n", { resumable: false });
  await client.bucket(BUCKET).file("elsewhere/notes.txt").save("{}\n", { resumable: false });
}, 120_000);
afterAll(async () => {
  await stopGcsSync();
  await emulator?.stop();
  work.cleanup();
});

// The objects are spread over workers by a GroupByKey on their URI, as in the Dataflow batch graph.
it_(
  "impulse → listInputObjects → (spread) → readObjectRecords: every record once, named by its gs:// object",
  async () => {
    const out = path.join(work.dir, "records.jsonl");
    const copies = fs.mkdtempSync(path.join(work.dir, "copies-"));
    await runDirect((root) => {
      root
        .apply(beam.impulse())
        .map(inputPattern, { input: `gs://${BUCKET}/events/` })
        .flatMap(listInputObjects, { storage: storage() })
        .map(keyByUri)
        .apply(beam.groupByKey<string, InputObject>())
        .flatMap(objectsOfGroup)
        .flatMap(readObjectRecords, { storage: storage(), maxRecordBytes: 1 << 20, tempDir: copies })
        .apply(beam.parDo(new JsonLinesFileSink(), { path: out }));
    });
    const records = [...readJsonLines(out)] as unknown as Outcome<Decoded>[];
    expect(records.length).toBe(2500 + 2500 + faultLines.length);
    for (const [uri, file] of uploaded) {
      const arrived = records.filter((r) => sourceOf(r).uri === uri);
      expect(arrived.map(canonical).sort()).toStrictEqual(readLocally(file, uri).map(canonical).sort());
    }
    const positions = records.map((r) => `${sourceOf(r).uri}#${sourceOf(r).line}`);
    expect(new Set(positions).size).toBe(records.length);
    expect(records.length).toBe([...uploaded.values()].reduce((n, file) => n + readLocally(file, "x").length, 0));
    const dead = records.flatMap((r) => (r.ok ? [] : [r.dead]));
    expect(dead.map((d) => [d.envelope.source.uri, `${d.stage}/${d.errorClass}`]).sort()).toStrictEqual(
      faultLines
        .filter((f) => f.expect.startsWith("decode/"))
        .map((f) => [`gs://${BUCKET}/events/faults.jsonl`, f.expect])
        .sort(),
    );
    expect(fs.readdirSync(copies)).toStrictEqual([]);
  },
  120_000,
);

it_("lists with each object's size, generation and format; no match or an unknown extension is an input error", () => {
  const listed = listInputObjects(`gs://${BUCKET}/events/*.{jsonl,parquet}`, { storage: storage() });
  expect(listed.map(({ uri, size, format }) => ({ uri, size, format }))).toStrictEqual([
    {
      uri: `gs://${BUCKET}/events/faults.jsonl`,
      size: fs.statSync(uploaded.get(`gs://${BUCKET}/events/faults.jsonl`)!).size,
      format: "jsonl",
    },
    {
      uri: `gs://${BUCKET}/events/flights.parquet`,
      size: fs.statSync(uploaded.get(`gs://${BUCKET}/events/flights.parquet`)!).size,
      format: "parquet",
    },
  ]);
  expect(listed.every((o) => typeof o.generation === "string" && o.generation !== "")).toBe(true);
  expect(() => listInputObjects(`gs://${BUCKET}/none/*.jsonl`, { storage: storage() })).toThrow(InputError);
  expect(() => listInputObjects(`gs://${BUCKET}/elsewhere/`, { storage: storage() })).toThrow(
    new InputError(
      `cannot tell the format of gs://${BUCKET}/elsewhere/notes.txt from its name: pass --format jsonl|csv|avro|parquet`,
    ),
  );
  expect(
    listInputObjects(`gs://${BUCKET}/elsewhere/`, { storage: storage(), format: "jsonl" }).map((o) => o.format),
  ).toStrictEqual(["jsonl", "jsonl"]);
});

it_(
  "an object gone between listing and reading throws FileNotFoundError (the runner retries) and leaves no copy",
  () => {
    const copies = fs.mkdtempSync(path.join(work.dir, "gone-"));
    const gone: InputObject = { uri: `gs://${BUCKET}/events/deleted.jsonl`, size: 10, format: "jsonl" };
    const read = () => [...readObjectRecords(gone, { storage: storage(), maxRecordBytes: 1 << 20, tempDir: copies })];
    expect(read).toThrow(FileNotFoundError);
    expect(fs.readdirSync(copies)).toStrictEqual([]);
  },
);

it("a local input is read in place, its records named by file:// URLs (the graph's path for tests)", () => {
  const copies = fs.mkdtempSync(path.join(work.dir, "local-copies-"));
  const listed = listInputObjects(path.join(local, "*.jsonl"), { storage: {} });
  expect(listed.map((o) => [path.basename(o.uri), o.format])).toStrictEqual([
    ["faults.jsonl", "jsonl"],
    ["flights-2001-01-08.jsonl", "jsonl"],
  ]);
  const faults = listed[0];
  const records = [...readObjectRecords(faults, { storage: {}, maxRecordBytes: 1 << 20, tempDir: copies })];
  expect(records.map(canonical)).toStrictEqual(
    readLocally(path.join(local, "faults.jsonl"), pathToFileURL(path.join(local, "faults.jsonl")).href).map(canonical),
  );
  expect(fs.readdirSync(copies)).toStrictEqual([]);
});

function sourceOf(record: Outcome<Decoded>) {
  return record.ok ? record.value.envelope.source : record.dead.envelope.source;
}

/** What the local readers make of the file the object was uploaded from, named by the object. */
function readLocally(file: string, uri: string): Outcome<Decoded>[] {
  return planSplits(file, detectFormat(file)!).flatMap((split) => [
    ...readSplit({ ...split, uri }, { maxRecordBytes: 1 << 20 }),
  ]);
}

/** Outcomes as JSON, after the same trip through a JSON-lines file the pipeline's records took. */
function canonical(record: Outcome<Decoded>): string {
  return JSON.stringify(JSON.parse(JSON.stringify(record)));
}
