import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { writeFlightSample } from "../../tools/sample/flights";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { tempDir } from "../support/temp";

// The same real flights (a few hours of one day) as JSONL, CSV, Avro and Parquet: each format lands the same rows,
// and each format's own kind of damage becomes a dead letter without losing anything else.
const FROM = "2001-02-10";
const TO = "2001-02-11";
const FORMATS = ["jsonl", "csv", "avro", "parquet"] as const;
let work: ReturnType<typeof tempDir>;
let rows: number;

beforeAll(async () => {
  work = tempDir("formats");
  for (const format of FORMATS) {
    const sample = await writeFlightSample({
      outDir: path.join(work.dir, format),
      format,
      by: "day",
      from: FROM,
      to: TO,
    });
    rows = sample.rows;
  }
});
afterAll(() => work.cleanup());

async function run(
  input: string,
  format?: (typeof FORMATS)[number],
): Promise<{ summary: JobSummary; table: string; dead: Record<string, unknown>[] }> {
  const warehouse = await DuckDbWarehouse.open(path.join(work.dir, `${path.basename(input)}-${Date.now()}.duckdb`));
  try {
    const summary = await runBatchJob(
      { input, schema: "flights", format, workDir: work.dir, chunkBytes: 128 << 10 },
      warehouse,
    );
    const table = await warehouse.query(
      "SELECT * EXCLUDE (_source, _run_id, _ingested_at) FROM flights ORDER BY event_id",
    );
    const dead = await warehouse.query(
      "SELECT errorStage, errorClass, sourceLine, payloadString, to_base64(payloadBytes) AS payloadBytes FROM dead_letters ORDER BY sourceLine",
    );
    return { summary, table: JSON.stringify(table), dead };
  } finally {
    await warehouse.close();
  }
}

test("every format lands the same rows", async () => {
  const results = [];
  for (const format of FORMATS) results.push(await run(path.join(work.dir, format)));
  for (const result of results) {
    expect(result.summary.read).toBe(rows);
    expect(result.summary.written).toBe(rows);
    expect(unaccounted(result.summary)).toBe(0);
    expect(result.table).toBe(results[0].table);
  }
});

test("bad CSV rows (column count, quoting) become dead letters; the rest lands", async () => {
  const file = path.join(work.dir, "csv", `flights-${FROM}.csv`);
  const bad = path.join(work.dir, "bad.csv");
  const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
  lines.splice(
    3,
    0,
    "x:1,2001-02-10T01:00:00Z,5,100,SFO",
    'x:2,2001-02-10T01:00:00Z,5,100,S"FO,LAX',
    'x:3,2001-02-10T01:00:00Z,5,100,"SFO"x,LAX',
  );
  fs.writeFileSync(bad, lines.join("\n") + "\n");
  const { summary, dead } = await run(bad);
  expect(summary.written).toBe(rows);
  expect(dead.map((d) => d.errorClass)).toStrictEqual(["csv_column_count", "csv_bad_quoting", "csv_bad_quoting"]);
  expect(dead.map((d) => Number(d.sourceLine))).toStrictEqual([4, 5, 6]);
  expect(unaccounted(summary)).toBe(0);
});

test("invalid UTF-8 and a 2 MB line become dead letters with their raw bytes; the rest lands", async () => {
  const file = path.join(work.dir, "jsonl", `flights-${FROM}.jsonl`);
  const bad = path.join(work.dir, "bad.jsonl");
  const invalid = Buffer.concat([
    Buffer.from('{"event_id":"u:1","origin":"S'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}\n'),
  ]);
  const huge = Buffer.from(`{"event_id":"big:1","pad":"${"x".repeat(2 << 20)}"}\n`);
  fs.writeFileSync(bad, Buffer.concat([invalid, fs.readFileSync(file), huge]));
  const { summary, dead } = await run(bad);
  expect(summary.written).toBe(rows);
  expect(summary.byReason).toMatchObject({ "decode/invalid_utf8": 1, "decode/record_too_large": 1 });
  expect(Buffer.from(String(dead[0].payloadBytes), "base64").includes(Buffer.from([0xc3, 0x28]))).toBe(true);
  expect(unaccounted(summary)).toBe(0);
});

test("a corrupt Avro block becomes one dead letter and the following blocks still land", async () => {
  const file = path.join(work.dir, "avro", `flights-${FROM}.avro`);
  const bytes = fs.readFileSync(file);
  const bad = path.join(work.dir, "bad.avro");
  const corrupt = Buffer.from(bytes);
  const middle = Math.floor(bytes.length / 2);
  for (let i = 0; i < 64; i++) corrupt[middle + i] ^= 0xff;
  fs.writeFileSync(bad, corrupt);
  const { summary, dead } = await run(bad, "avro");
  expect(dead.length).toBeGreaterThanOrEqual(1);
  expect(new Set(dead.map((d) => d.errorClass))).toStrictEqual(new Set(["corrupt_avro_block"]));
  expect(summary.written).toBeGreaterThan(rows / 4);
  expect(summary.written).toBeLessThan(rows);
  expect(unaccounted(summary)).toBe(0);
});
