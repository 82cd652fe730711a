import * as fs from "fs";
import * as path from "path";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { readJsonLines } from "../../io/files/json-lines";
import { main } from "../../launcher/main";
import { injectFaults } from "../../tools/sample/faults";
import { writeFlightSample } from "../../tools/sample/flights";
import { startTestGcsEmulator, type TestGcsEmulator } from "../support/gcs-emulator";
import { tempDir } from "../support/temp";
import { itNeeds } from "../support/prerequisites";

// `rox batch --input gs://…` against the Cloud Storage emulator: the objects are staged, the unchanged local job runs on
// them, and every record lands once — dead letters naming the gs:// object they came from, never the staged copy.
const it_ = itNeeds("gcs-emulator");
let emulator: TestGcsEmulator | undefined;
let work: ReturnType<typeof tempDir>;
let rows = 0;
let faultCount = 0;

beforeAll(async () => {
  work = tempDir("batch-gcs");
  emulator = await startTestGcsEmulator();
  if (!emulator) return;
  const local = path.join(work.dir, "events");
  const sample = await writeFlightSample({
    outDir: local,
    format: "jsonl",
    by: "day",
    from: "2001-01-05",
    to: "2001-01-07",
  });
  rows = sample.rows;
  const faults = injectFaults([...readJsonLines(sample.files[0].path)].slice(0, 30), 5).filter(
    (f) => f.expect !== "duplicate",
  );
  faultCount = faults.length;
  fs.writeFileSync(path.join(local, "faults.jsonl"), faults.map((f) => f.line).join("\n") + "\n");
  const storage = await createStorageClient({ projectId: "rox-test", apiEndpoint: emulator.endpoint });
  await storage.createBucket("rox-events");
  for (const name of fs.readdirSync(local))
    await storage.bucket("rox-events").upload(path.join(local, name), { destination: `flights/dt=2001-01/${name}` });
  // An object outside the pattern must not be read.
  await storage.bucket("rox-events").file("other/ignored.jsonl").save("{}\n", { resumable: false });
});
afterAll(async () => {
  await emulator?.stop();
  work.cleanup();
});

it_("reads gs:// input into the warehouse; dead letters name their gs:// object", async () => {
  const warehouse = path.join(work.dir, "w.duckdb");
  const summaryFile = path.join(work.dir, "summary.json");
  const args = [
    "batch",
    "--input",
    "gs://rox-events/flights/dt=2001-01/*.jsonl",
    "--schema",
    "flights",
    "--warehouse",
    warehouse,
    "--project",
    "rox-test",
    "--storage-endpoint",
    emulator!.endpoint,
    "--summary",
    summaryFile,
  ];
  expect(await main(args)).toBe(0);
  const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
  expect(summary).toMatchObject({ read: rows + faultCount, written: rows, deadLettered: faultCount, duplicates: 0 });
  const db = await DuckDbWarehouse.open(warehouse);
  try {
    const [events] = await db.query("SELECT count(*) AS n FROM flights");
    expect(Number(events.n)).toBe(rows);
    const sources = await db.query("SELECT DISTINCT sourceUri FROM dead_letters");
    expect(sources).toStrictEqual([{ sourceUri: "gs://rox-events/flights/dt=2001-01/faults.jsonl" }]);
  } finally {
    await db.close();
  }
});

it_("a pattern that matches nothing is an input error (exit 3), not an empty run", async () => {
  const args = [
    "batch",
    "--input",
    "gs://rox-events/nothing/*.jsonl",
    "--schema",
    "flights",
    "--warehouse",
    path.join(work.dir, "none.duckdb"),
    "--storage-endpoint",
    emulator!.endpoint,
  ];
  expect(await main(args)).toBe(3);
});
