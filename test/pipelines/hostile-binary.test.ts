import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { readAvroHeader } from "../../transforms/decode/avro-header";
import { walkAvroBlocks } from "../../transforms/decode/avro-blocks";
import { memoryByteSource } from "../../transforms/decode/byte-source";
import { readParquetFooter } from "../../transforms/decode/parquet-footer";
import { reconciliation, unaccounted, type JobSummary } from "../../transforms/summary";
import { reportSummary } from "../../launcher/commands/batch";
import { writeParquetFile } from "../decode/parquet-fixture";
import { encodeAvroFile } from "../decode/avro-fixture";
import { tempDir } from "../support/temp";

// Damaged binary files (issue 9, item 3): the records a corrupt block or row group declares count as read and as
// dead-lettered, so `read = written + deadLettered + duplicates` still shows what was lost; where no count can be known,
// the summary says so instead of claiming that it reconciles.
const ROWS = 3000;
let work: ReturnType<typeof tempDir>;
let avroBytes: Buffer;
let parquetBytes: Buffer;

const FLIGHT_SCHEMA = {
  type: "record",
  name: "Flight",
  fields: [
    { name: "event_id", type: "string" },
    { name: "date", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "delay", type: "int" },
    { name: "distance", type: "int" },
    { name: "origin", type: "string" },
    { name: "destination", type: "string" },
  ],
};

beforeAll(async () => {
  work = tempDir("hostile-binary");
  const flights = Array.from({ length: ROWS }, (_, i) => ({
    event_id: `f${i}`,
    date: BigInt(978_480_000_000 + i * 60_000),
    delay: i % 90,
    distance: 100 + i,
    origin: "LAS",
    destination: "PHL",
  }));
  avroBytes = await encodeAvroFile(FLIGHT_SCHEMA as never, flights, { codec: "deflate", blockSize: 4096 });
  const parquet = path.join(work.dir, "source.parquet");
  const select = `SELECT 'f' || i AS event_id, TIMESTAMP '2001-01-03 00:00:00' + INTERVAL (i) MINUTE AS date, (i % 90)::INTEGER AS delay,
                  (100 + i)::INTEGER AS distance, 'LAS' AS origin, 'PHL' AS destination FROM range(${ROWS}) t(i)`;
  await writeParquetFile(parquet, select, "COMPRESSION snappy, ROW_GROUP_SIZE 500");
  parquetBytes = fs.readFileSync(parquet);
});
afterAll(() => work.cleanup());

async function runOn(name: string, bytes: Buffer): Promise<{ summary: JobSummary; dead: Record<string, unknown>[] }> {
  const input = path.join(work.dir, name);
  fs.writeFileSync(input, bytes);
  const warehouse = await DuckDbWarehouse.open(path.join(work.dir, `${name}.duckdb`));
  try {
    const summary = await runBatchJob({ input, schema: "flights", workDir: work.dir, chunkBytes: 64 << 10 }, warehouse);
    const dead = await warehouse.query("SELECT errorClass, records FROM dead_letters ORDER BY sourceLine");
    expect(unaccounted(summary)).toBe(0);
    return { summary, dead };
  } finally {
    await warehouse.close();
  }
}

function avroFrames(bytes: Buffer) {
  const source = memoryByteSource(bytes);
  const read = readAvroHeader(source);
  if (!read.ok) throw new Error(read.reason);
  return [...walkAvroBlocks(source, read.header.sync, read.header.dataStart, bytes.length)];
}

test("a corrupt Avro block counts the records its header declares as read and dead-lettered", async () => {
  const bytes = Buffer.from(avroBytes);
  const frames = avroFrames(bytes);
  expect(frames.length).toBeGreaterThan(3);
  bytes.fill(0x55, frames[1].dataStart + 8, frames[1].dataStart + 72);
  const { summary, dead } = await runOn("corrupt.avro", bytes);
  expect(summary).toMatchObject({ read: ROWS, written: ROWS - frames[1].count, deadLettered: frames[1].count });
  expect(dead).toEqual([{ errorClass: "corrupt_avro_block", records: String(frames[1].count) }]);
  expect(reconciliation(summary)).toBe("yes");
});

test("a truncated Avro file: the cut block's declared records are read and dead-lettered", async () => {
  const frames = avroFrames(avroBytes);
  const last = frames[frames.length - 2];
  const { summary } = await runOn("truncated.avro", avroBytes.subarray(0, last.dataStart + 10));
  expect(summary).toMatchObject({
    read: frames.slice(0, -1).reduce((n, f) => n + f.count, 0),
    deadLettered: last.count,
  });
  expect(summary.uncounted).toBeUndefined();
});

test("a corrupt Parquet row group counts the rows the footer declares", async () => {
  const bytes = Buffer.from(parquetBytes);
  const read = readParquetFooter(memoryByteSource(bytes));
  if (!read.ok) throw new Error(read.reason);
  const chunk = read.metadata.row_groups[1].columns[0].meta_data!;
  const start = Number(chunk.dictionary_page_offset || chunk.data_page_offset);
  bytes.fill(0xff, start, start + 48);
  const { summary, dead } = await runOn("corrupt.parquet", bytes);
  const rows = Number(read.metadata.row_groups[1].num_rows);
  expect(summary).toMatchObject({ read: ROWS, written: ROWS - rows, deadLettered: rows });
  expect(dead).toEqual([{ errorClass: "corrupt_parquet_row_group", records: String(rows) }]);
});

test("a truncated Parquet file: its row count is unknowable, and the summary says so instead of reconciling", async () => {
  const { summary, dead } = await runOn(
    "truncated.parquet",
    parquetBytes.subarray(0, Math.floor(parquetBytes.length / 2)),
  );
  expect(summary).toMatchObject({ read: 1, deadLettered: 1, uncounted: 1 });
  expect(dead).toEqual([{ errorClass: "unreadable_file", records: null }]);
  expect(reconciliation(summary)).toMatch(/^UNKNOWN/);
  const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    expect(() => reportSummary(summary, undefined)).toThrow(expect.objectContaining({ name: "ReconciliationError" }));
  } finally {
    log.mockRestore();
  }
});

test("empty Avro and Parquet files hold no records: nothing read, nothing lost", async () => {
  expect((await runOn("empty.avro", Buffer.alloc(0))).summary).toMatchObject({ read: 0, deadLettered: 0 });
  expect((await runOn("empty.parquet", Buffer.alloc(0))).summary).toMatchObject({ read: 0, deadLettered: 0 });
});
