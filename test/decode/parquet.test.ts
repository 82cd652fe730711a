import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { memoryByteSource } from "../../transforms/decode/byte-source";
import { readParquetFooter, rowGroupBytes, rowGroupFirstRow } from "../../transforms/decode/parquet-footer";
import { decodeParquetRowGroup, parquetRows } from "../../transforms/decode/parquet-row-group";
import { decodeBinaryRecord } from "../../transforms/decode/binary-record";
import { MIXED_ROWS_SQL, writeParquetFile } from "./parquet-fixture";

const FLIGHTS = path.join(__dirname, "../../node_modules/vega-datasets/data/flights-3m.parquet");

function footerOf(bytes: Uint8Array) {
  const read = readParquetFooter(memoryByteSource(bytes));
  if (!read.ok) throw new Error(read.reason);
  return read.metadata;
}

describe("Parquet row groups, read synchronously", () => {
  const flights = fs.readFileSync(FLIGHTS);

  test("flights-3m: 11 ZSTD row groups of 3,000,000 rows", () => {
    const metadata = footerOf(flights);
    expect(metadata.row_groups).toHaveLength(11);
    expect(Number(metadata.num_rows)).toBe(3_000_000);
    expect(rowGroupFirstRow(metadata, 10)).toBe(2_727_270);
    expect(rowGroupBytes(metadata, 0)).toBeGreaterThan(100_000);
  });

  test("flights-3m: a row group decodes to plain rows, timestamps as UTC Dates", () => {
    const metadata = footerOf(flights);
    const read = decodeParquetRowGroup(memoryByteSource(flights), metadata, 0);
    if (!read.ok) throw new Error(read.reason);
    expect(read.group.rows).toBe(272_727);
    const [first] = parquetRows(read.group);
    const decoded = decodeBinaryRecord(first, { uri: "u", line: 1, offset: 4 });
    expect(decoded).toMatchObject({
      ok: true,
      value: {
        fields: {
          date: new Date("2001-01-01T00:01:00.000Z"),
          delay: 33,
          distance: 2176,
          origin: "LAS",
          destination: "PHL",
        },
        envelope: {
          payload:
            '{"date":"2001-01-01T00:01:00.000Z","delay":"33","distance":"2176","origin":"LAS","destination":"PHL"}',
        },
      },
    });
  });

  test("nested, list, decimal, date, blob and 64-bit columns", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rox-parquet-")), "mixed.parquet");
    await writeParquetFile(file, MIXED_ROWS_SQL.replace("ROWS", "5"));
    const bytes = fs.readFileSync(file);
    const read = decodeParquetRowGroup(memoryByteSource(bytes), footerOf(bytes), 0);
    if (!read.ok) throw new Error(read.reason);
    const rows = [...parquetRows(read.group)].map((row, i) => decodeBinaryRecord(row, { uri: "u", line: i + 1 }));
    expect(rows[1]).toMatchObject({
      ok: true,
      value: {
        fields: {
          id: 1,
          name: "name 1",
          score: 1.5,
          at: new Date("2024-01-01T00:00:01.000Z"),
          day: new Date("2024-03-02T00:00:00.000Z"),
          big: "9007199254740994",
          nested: { a: 1, tags: ["x", "y"] },
          pair: [1, 2],
          raw: new Uint8Array([1]),
        },
      },
    });
    expect(rows[0]).toMatchObject({ ok: true, value: { fields: { score: null } } });
  });

  test.each([
    ["too short", Buffer.from("PAR1"), /too short/],
    ["no magic", Buffer.alloc(100), /missing PAR1 magic/],
    ["footer cut off", flights.subarray(0, flights.length - 1000), /missing PAR1 magic/],
    [
      "footer length too large",
      Buffer.concat([Buffer.from("PAR1"), Buffer.alloc(10), Buffer.from([0xff, 0xff, 0, 0]), Buffer.from("PAR1")]),
      /footer length 65535 exceeds the file/,
    ],
  ])("unreadable footer: %s", (_name, bytes, reason) => {
    const read = readParquetFooter(memoryByteSource(bytes));
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.reason).toMatch(reason);
  });

  test("a damaged column chunk fails its row group only", () => {
    const copy = Buffer.from(flights);
    const metadata = footerOf(copy);
    const chunk = metadata.row_groups[1].columns[2].meta_data!;
    const start = Number(chunk.dictionary_page_offset || chunk.data_page_offset);
    copy.fill(0xff, start, start + 64);
    expect(decodeParquetRowGroup(memoryByteSource(copy), metadata, 1).ok).toBe(false);
    expect(decodeParquetRowGroup(memoryByteSource(copy), metadata, 2).ok).toBe(true);
  });
});
