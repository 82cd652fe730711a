import * as fs from "fs";
import * as path from "path";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { readJsonLines } from "../../io/files/json-lines";
import { main } from "../../launcher/main";
import { injectFaults } from "../../tools/sample/faults";
import { writeFlightSample } from "../../tools/sample/flights";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { startTestGcsEmulator, type TestGcsEmulator } from "../support/gcs-emulator";
import { itNeeds, unmet } from "../support/prerequisites";
import { tempDir } from "../support/temp";

// End to end on the emulators: `rox batch --input gs://… --warehouse bigquery` reads real flights (and injected faults)
// from fake-gcs-server and lands them in bqemulator; a rerun adds nothing; --replace rewrites the days it touches.
const bq = useBigQueryEmulator();
let gcs: TestGcsEmulator | undefined;
let work: ReturnType<typeof tempDir>;
let rows = 0;
let badRecords = 0;
const DATASET = "rox_e2e";

beforeAll(async () => {
  work = tempDir("gcs-to-bq");
  if (unmet("bigquery-emulator", "gcs-emulator")) return;
  gcs = (await startTestGcsEmulator())!;
  const local = path.join(work.dir, "events");
  const sample = await writeFlightSample({
    outDir: local,
    format: "jsonl",
    by: "day",
    from: "2001-02-10",
    to: "2001-02-12",
    limit: 3000,
  });
  rows = sample.rows;
  const faults = injectFaults([...readJsonLines(sample.files[0].path)].slice(0, 30), 5).filter(
    (f) => f.expect !== "duplicate",
  );
  badRecords = faults.length;
  fs.writeFileSync(path.join(local, "faults.jsonl"), faults.map((f) => f.line).join("\n") + "\n");
  const storage = await createStorageClient({ projectId: "rox-test", apiEndpoint: gcs.endpoint });
  await storage.createBucket("rox-landing");
  for (const name of fs.readdirSync(local))
    await storage.bucket("rox-landing").upload(path.join(local, name), { destination: `flights/${name}` });
});
afterAll(async () => {
  await gcs?.stop();
  work?.cleanup();
});

function batchArgs(extra: string[] = []): string[] {
  const emulator = bq.emulator!;
  return [
    "batch",
    "--input",
    "gs://rox-landing/flights/*.jsonl",
    "--schema",
    "flights",
    "--warehouse",
    "bigquery",
    "--project",
    emulator.projectId,
    "--dataset",
    DATASET,
    "--bigquery-endpoint",
    emulator.apiEndpoint,
    "--storage-endpoint",
    gcs!.endpoint,
    "--summary",
    path.join(work.dir, "summary.json"),
    ...extra,
  ];
}

const inBigQuery = <T>(read: (warehouse: BigQueryWarehouse) => Promise<T>): Promise<T> =>
  inEmulatorDataset(bq.emulator!, DATASET, read);

const summary = () => JSON.parse(fs.readFileSync(path.join(work.dir, "summary.json"), "utf8"));
const count = (warehouse: BigQueryWarehouse, sql: string) =>
  warehouse.query(sql).then(([row]) => Number(Object.values(row)[0]));

itNeeds("bigquery-emulator", "gcs-emulator")(
  "gs:// → BigQuery: every record lands once; reruns add nothing; --replace keeps the counts",
  async () => {
    expect(await main(batchArgs())).toBe(0);
    expect(summary()).toMatchObject({
      read: rows + badRecords,
      written: rows,
      deadLettered: badRecords,
      duplicates: 0,
    });
    await inBigQuery(async (warehouse) => {
      expect(await count(warehouse, "SELECT count(*) FROM flights")).toBe(rows);
      expect(await count(warehouse, "SELECT count(DISTINCT event_id) FROM flights")).toBe(rows);
      const dead = await warehouse.query("SELECT DISTINCT sourceUri FROM dead_letters");
      expect(dead).toStrictEqual([{ sourceUri: "gs://rox-landing/flights/faults.jsonl" }]);
      expect(await count(warehouse, "SELECT count(*) FROM dead_letters")).toBe(badRecords);
    });

    expect(await main(batchArgs())).toBe(0);
    expect(summary()).toMatchObject({ written: 0, duplicates: rows, deadLettered: badRecords });
    expect(await main(batchArgs(["--replace"]))).toBe(0);
    expect(summary()).toMatchObject({ written: rows });
    await inBigQuery(async (warehouse) => {
      expect(await count(warehouse, "SELECT count(*) FROM flights")).toBe(rows);
      expect(await count(warehouse, "SELECT count(*) FROM dead_letters")).toBe(badRecords);
      expect(await count(warehouse, "SELECT count(*) FROM job_runs WHERE job = 'batch'")).toBe(3);
    });
  },
);
