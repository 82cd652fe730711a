import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as avro from "avsc";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { flightSchemaPath, INLINE_FLIGHT_SCHEMA, writeAvroFile } from "../../tools/sample/flights-avro";
import {
  checkSampleOptions,
  defaultFlightsSource,
  SampleOptions,
  SampleOptionsError,
  writeFlightSample,
} from "../../tools/sample/flights";

const SOURCE = defaultFlightsSource();
const FIRST_EVENT = {
  event_id: "flights-3m:1",
  date: "2001-01-01T00:01:00Z",
  delay: 33,
  distance: 2176,
  origin: "LAS",
  destination: "PHL",
};
const DAY = { by: "day", from: "2001-01-01", to: "2001-01-02" } as const;

let workDir: string;
let db: DuckDBInstance;
let sql: DuckDBConnection;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "rox-sample-"));
  db = await DuckDBInstance.create(":memory:");
  sql = await db.connect();
});

afterAll(() => {
  sql.closeSync();
  db.closeSync();
  rmSync(workDir, { recursive: true, force: true });
});

async function queryRows(query: string): Promise<Record<string, unknown>[]> {
  return (await sql.runAndReadAll(query)).getRowObjectsJS();
}

async function countSourceRows(from: string, to: string): Promise<number> {
  const [row] = await queryRows(
    `SELECT count(*) AS n FROM read_parquet('${SOURCE}') WHERE date >= TIMESTAMP '${from}' AND date < TIMESTAMP '${to}'`,
  );
  return Number(row.n);
}

function fileDigest(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function sample(name: string, opts: Omit<SampleOptions, "outDir">) {
  return writeFlightSample({ ...opts, outDir: join(workDir, name) });
}

describe("writeFlightSample, one day in each format", () => {
  let expectedRows: number;
  beforeAll(async () => {
    expectedRows = await countSourceRows(DAY.from, DAY.to);
  });

  test("JSONL: one event object per line, ordered by row number", async () => {
    const result = await sample("jsonl", { ...DAY, format: "jsonl" });
    expect(result.files.map((f) => f.path)).toEqual([join(workDir, "jsonl", "flights-2001-01-01.jsonl")]);
    expect(result.rows).toBe(expectedRows);
    const lines = readFileSync(result.files[0].path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(expectedRows);
    expect(lines[0]).toBe(JSON.stringify(FIRST_EVENT));
    const ids = lines.map((line) => JSON.parse(line).event_id as string);
    expect(ids.every((id, i) => id === `flights-3m:${i + 1}`)).toBe(true);
  });

  test("CSV: header row, then one row per event", async () => {
    const result = await sample("csv", { ...DAY, format: "csv" });
    const lines = readFileSync(result.files[0].path, "utf8").trimEnd().split("\n");
    expect(lines[0]).toBe("event_id,date,delay,distance,origin,destination");
    expect(lines[1]).toBe("flights-3m:1,2001-01-01T00:01:00Z,33,2176,LAS,PHL");
    expect(lines).toHaveLength(expectedRows + 1);
    expect(result.rows).toBe(expectedRows);
  });

  test("Avro: a deflate container file that avsc decodes", async () => {
    const result = await sample("avro", { ...DAY, format: "avro" });
    const { records, codec, schemaName, writerSchema } = await decodeAvroFile(result.files[0].path);
    expect(codec).toBe("deflate");
    expect(schemaName).toBe("rox.events.Flight");
    // The project's schemas/flights.avsc is the writer schema, rox.* attributes included.
    expect(flightSchemaPath()).toBeDefined();
    expect(writerSchema).toMatchObject({ "rox.id": "event_id", "rox.eventTime": "date" });
    expect(dateFieldType(writerSchema)).toEqual({ type: "long", logicalType: "timestamp-millis" });
    expect(records).toHaveLength(expectedRows);
    expect(result.rows).toBe(expectedRows);
    expect(records[0]).toEqual({ ...FIRST_EVENT, date: Date.parse(FIRST_EVENT.date) });
  });

  test("Parquet: reads back with a UTC timestamp and 32-bit integers", async () => {
    const result = await sample("parquet", { ...DAY, format: "parquet" });
    const file = result.files[0].path;
    const [first] = await queryRows(`SELECT * FROM read_parquet('${file}') LIMIT 1`);
    expect({ ...first, date: (first.date as Date).toISOString() }).toEqual({
      ...FIRST_EVENT,
      date: "2001-01-01T00:01:00.000Z",
    });
    const types = await queryRows(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}'))`,
    );
    expect(types.map((t) => t.column_type)).toEqual([
      "VARCHAR",
      "TIMESTAMP WITH TIME ZONE",
      "INTEGER",
      "INTEGER",
      "VARCHAR",
      "VARCHAR",
    ]);
    const [count] = await queryRows(`SELECT count(*) AS n FROM read_parquet('${file}')`);
    expect(Number(count.n)).toBe(expectedRows);
  });
});

function dateFieldType(schema?: Record<string, unknown>): unknown {
  return (schema?.fields as { name: string; type: unknown }[]).find((field) => field.name === "date")?.type;
}

interface DecodedAvro {
  records: unknown[];
  codec?: string;
  schemaName?: string;
  writerSchema?: Record<string, unknown>;
}

function decodeAvroFile(path: string): Promise<DecodedAvro> {
  return new Promise((resolve, reject) => {
    const decoded: DecodedAvro = { records: [] };
    avro
      .createFileDecoder(path)
      .on("metadata", (type: avro.Type, codec: string, header: { meta: Record<string, Buffer> }) => {
        const writerSchema = JSON.parse(header.meta["avro.schema"].toString());
        Object.assign(decoded, { codec, schemaName: type.name, writerSchema });
      })
      .on("data", (record: unknown) => decoded.records.push({ ...(record as object) }))
      .on("error", reject)
      .on("end", () => resolve(decoded));
  });
}

describe("writeFlightSample, selection and files", () => {
  test("writing the same sample twice gives byte-identical files", async () => {
    for (const format of ["jsonl", "csv", "avro"] as const) {
      const opts = { by: "day", from: "2001-03-10", to: "2001-03-11", limit: 3000, format } as const;
      const [a, b] = [await sample(`again-a-${format}`, opts), await sample(`again-b-${format}`, opts)];
      expect(fileDigest(b.files[0].path)).toBe(fileDigest(a.files[0].path));
    }
  });

  test("limit keeps the first rows of the range, split by month", async () => {
    const result = await sample("limit", { by: "month", from: "2001-01-31", limit: 20000, format: "jsonl" });
    expect(result.files.map((f) => f.path.split("/").pop())).toEqual([
      "flights-2001-01.jsonl",
      "flights-2001-02.jsonl",
    ]);
    expect(result.rows).toBe(20000);
    expect(result.files[0].rows).toBe(await countSourceRows("2001-01-31", "2001-02-01"));
    const [last] = await queryRows(
      `SELECT file_row_number + 1 AS n FROM read_parquet('${SOURCE}', file_row_number = true)` +
        ` WHERE date >= TIMESTAMP '2001-01-31' ORDER BY file_row_number LIMIT 1 OFFSET 19999`,
    );
    const lines = readFileSync(result.files[1].path, "utf8").trimEnd().split("\n");
    expect(JSON.parse(lines[lines.length - 1]).event_id).toBe(`flights-3m:${last.n}`);
  });

  test("an empty range writes no files", async () => {
    const result = await sample("empty", { by: "day", from: "2002-01-01", to: "2002-01-02", format: "csv" });
    expect(result).toEqual({ files: [], rows: 0 });
  });
});

test("the inline Avro schema, used while schemas/flights.avsc is missing, writes a decodable file", async () => {
  const path = join(workDir, "inline.avro");
  const query = `SELECT 'x:1' AS event_id, 978307260000::DOUBLE AS date, 33 AS delay, 2176 AS distance, 'LAS' AS origin, 'PHL' AS destination`;
  expect(await writeAvroFile(sql, query, INLINE_FLIGHT_SCHEMA, path)).toBe(1);
  const { records, writerSchema } = await decodeAvroFile(path);
  expect(records).toEqual([{ ...FIRST_EVENT, event_id: "x:1", date: 978307260000 }]);
  expect(dateFieldType(writerSchema)).toEqual({ type: "long", logicalType: "timestamp-millis" });
});

describe("checkSampleOptions", () => {
  const valid: SampleOptions = { outDir: "out", format: "jsonl", by: "day" };
  test.each([
    ["format", { format: "xml" }, /unknown format/],
    ["grouping", { by: "week" }, /unknown grouping/],
    ["from", { from: "2001-1-1" }, /from must be YYYY-MM-DD/],
    ["to (SQL in it)", { to: "2001-01-01' OR 1=1 --" }, /to must be YYYY-MM-DD/],
    ["limit zero", { limit: 0 }, /limit must be a positive integer/],
    ["limit fraction", { limit: 1.5 }, /limit must be a positive integer/],
  ])("rejects a bad %s", (_name, change, message) => {
    const check = () => checkSampleOptions({ ...valid, ...change } as SampleOptions);
    expect(check).toThrow(SampleOptionsError);
    expect(check).toThrow(message);
  });

  test("accepts a full set of options", () => {
    expect(() => checkSampleOptions({ ...valid, from: "2001-01-01", to: "2001-02-01", limit: 10 })).not.toThrow();
  });
});
