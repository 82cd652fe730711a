import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readAvroHeader } from "../../transforms/decode/avro-header";
import { walkAvroBlocks } from "../../transforms/decode/avro-blocks";
import { memoryByteSource } from "../../transforms/decode/byte-source";
import type { Decoded, Outcome } from "../../transforms/envelope";
import { detectFormat, planSplits, readSplit, type FileFormat, type FileSplit } from "../../io/files/splits";
import { encodeAvroFile, EVENT_SCHEMA, eventRecords } from "../decode/avro-fixture";
import { MIXED_ROWS_SQL, writeParquetFile } from "../decode/parquet-fixture";

const FLIGHTS = path.join(__dirname, "../../node_modules/vega-datasets/data/flights-3m.parquet");
const TARGETS = [1, 7, 64, 1000, 4096];

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "rox-splits-"))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

function readAll(
  file: string,
  format: FileFormat,
  targetBytes?: number,
  maxRecordBytes?: number,
  csvQuotedNewlines?: boolean,
): Outcome<Decoded>[] {
  return planSplits(file, format, { targetBytes, maxRecordBytes, csvQuotedNewlines }).flatMap((split) => [
    ...readSplit(split, { maxRecordBytes }),
  ]);
}

/** Splits must tile the file: contiguous, in order, from the first record to the end. */
function expectContiguous(splits: FileSplit[], end: number): void {
  for (let i = 1; i < splits.length; i++) expect(splits[i].start).toBe(splits[i - 1].end);
  expect(splits[splits.length - 1].end).toBe(end);
}

const lines = (outcomes: Outcome<Decoded>[]) =>
  outcomes.map((o) => (o.ok ? o.value.envelope : o.dead.envelope).source.line);
const deadClasses = (outcomes: Outcome<Decoded>[]) => outcomes.flatMap((o) => (o.ok ? [] : [o.dead.errorClass]));

test.each([
  ["a/b.jsonl", "jsonl"],
  ["x.NDJSON", "jsonl"],
  ["x.json", "jsonl"],
  ["x.csv", "csv"],
  ["x.avro", "avro"],
  ["x.parquet", "parquet"],
  ["x.txt", undefined],
  ["noext", undefined],
])("detectFormat(%s)", (file, format) => expect(detectFormat(file)).toBe(format));

describe("JSONL", () => {
  const bigLine = `{"pad":"${"x".repeat(2_000_000)}"}`;
  const content = Buffer.concat([
    Buffer.from('{"id":1,"delay":"33"}\n\n   \n{"id":2}\r\n{bad json\n[1,2]\n'),
    Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d, 0x0a]),
    Buffer.from(`${bigLine}\n{"id":3}\n{"id":4}`),
  ]);

  test("one split: every non-blank line is one outcome, with its line number", () => {
    const outcomes = readAll(writeFile("events.jsonl", content), "jsonl");
    expect(lines(outcomes)).toEqual([1, 4, 5, 6, 7, 8, 9, 10]);
    expect(deadClasses(outcomes)).toEqual(["malformed_json", "not_an_object", "invalid_utf8", "record_too_large"]);
    expect(outcomes[0]).toMatchObject({
      ok: true,
      value: { fields: { id: 1, delay: "33" }, envelope: { payload: '{"id":1,"delay":"33"}', source: { offset: 0 } } },
    });
    const tooLarge = outcomes.find((o) => !o.ok && o.dead.errorClass === "record_too_large");
    expect(tooLarge).toMatchObject({
      ok: false,
      dead: { errorMessage: expect.stringContaining(`${bigLine.length + 1} bytes`) },
    });
    if (tooLarge && !tooLarge.ok) expect(tooLarge.dead.envelope.payload).toHaveLength(64 * 1024);
  });

  test.each(TARGETS)("targetBytes %i gives the same records as one split", (targetBytes) => {
    const file = writeFile("events.jsonl", content);
    const splits = planSplits(file, "jsonl", { targetBytes });
    expectContiguous(splits, content.length);
    expect(splits[0]).toMatchObject({ start: 0, firstLine: 1, uri: `file://${file}` });
    expect(readAll(file, "jsonl", targetBytes)).toEqual(readAll(file, "jsonl"));
  });

  test("a file that is missing becomes one unreadable_file dead letter, not an exception", () => {
    const split: FileSplit = {
      uri: "file:///nope.jsonl",
      path: path.join(dir, "nope.jsonl"),
      format: "jsonl",
      start: 0,
      end: 10,
      firstLine: 1,
    };
    expect([...readSplit(split)]).toMatchObject([
      { ok: false, dead: { stage: "read", errorClass: "unreadable_file" } },
    ]);
  });
});

describe("CSV", () => {
  /** Every record carries its file's column names, so its dead letter can be replayed (`rox replay`). */
  const HEADER_ATTRIBUTE = { "rox.csvHeader": '["id","note","delay"]' };
  const content =
    'id,note,delay\r\n1,"multi\nline, quoted",33\r\n\r\n2,"say ""hi""",7\n3,bad"quote,1\n4,too,many,fields\n5,"x"y,2\n6,last,9\n7,"never closed,1\n';

  test("by default a newline ends every record, as in BigQuery's loader: a quoted newline breaks its record in two", () => {
    const outcomes = readAll(writeFile("events.csv", content), "csv");
    expect(lines(outcomes)).toEqual([2, 3, 5, 6, 7, 8, 9, 10]);
    expect(deadClasses(outcomes)).toEqual([
      "csv_bad_quoting",
      "csv_bad_quoting",
      "csv_bad_quoting",
      "csv_column_count",
      "csv_bad_quoting",
      "csv_bad_quoting",
    ]);
  });

  test("--csv-quoted-newlines, one split: quoted newlines, CRLF, blank lines and bad records", () => {
    const file = writeFile("events.csv", content);
    const [split] = planSplits(file, "csv", { csvQuotedNewlines: true });
    expect(split).toMatchObject({ header: ["id", "note", "delay"], start: 15, firstLine: 2, quotedNewlines: true });
    const outcomes = readAll(file, "csv", undefined, undefined, true);
    expect(lines(outcomes)).toEqual([2, 5, 6, 7, 8, 9, 10]);
    expect(deadClasses(outcomes)).toEqual([
      "csv_bad_quoting",
      "csv_column_count",
      "csv_bad_quoting",
      "csv_bad_quoting",
    ]);
    expect(outcomes[0]).toEqual({
      ok: true,
      value: {
        fields: { id: "1", note: "multi\nline, quoted", delay: "33" },
        textual: true,
        envelope: {
          payload: '1,"multi\nline, quoted",33',
          source: { uri: split.uri, line: 2, offset: 15 },
          attempt: 1,
          attributes: HEADER_ATTRIBUTE,
        },
      },
    });
    expect(outcomes[1]).toMatchObject({ ok: true, value: { fields: { note: 'say "hi"' } } });
  });

  test.each(TARGETS)("targetBytes %i: same records, every split carries the header", (targetBytes) => {
    const file = writeFile("events.csv", content);
    for (const quoted of [false, true]) {
      const splits = planSplits(file, "csv", { targetBytes, csvQuotedNewlines: quoted });
      expectContiguous(splits, Buffer.byteLength(content));
      expect(splits.every((s) => s.header?.join() === "id,note,delay")).toBe(true);
      expect(readAll(file, "csv", targetBytes, undefined, quoted)).toEqual(
        readAll(file, "csv", undefined, undefined, quoted),
      );
    }
  });

  test("a header-only file has no splits; a broken header makes the file unreadable", () => {
    expect(planSplits(writeFile("empty.csv", "\n a,b\n"), "csv")).toEqual([]);
    const outcomes = readAll(writeFile("broken.csv", 'a,"b\n1,2\n'), "csv");
    expect(outcomes).toMatchObject([
      {
        ok: false,
        dead: {
          stage: "read",
          errorClass: "unreadable_file",
          errorMessage: expect.stringMatching(/CSV header: field 2: quoted field is not terminated/),
        },
      },
    ]);
  });
});

describe("Avro", () => {
  async function avroFile(
    name: string,
    damage?: (file: Buffer, frames: { start: number; dataStart: number; dataEnd: number }[]) => void,
  ): Promise<string> {
    const bytes = await encodeAvroFile(EVENT_SCHEMA, eventRecords(200), { codec: "deflate", blockSize: 500 });
    const read = readAvroHeader(memoryByteSource(bytes));
    if (!read.ok) throw new Error(read.reason);
    damage?.(bytes, [
      ...walkAvroBlocks(memoryByteSource(bytes), read.header.sync, read.header.dataStart, bytes.length),
    ]);
    return writeFile(name, bytes);
  }

  test.each(TARGETS)("targetBytes %i gives the same records as one split", async (targetBytes) => {
    const file = await avroFile("events.avro");
    const splits = planSplits(file, "avro", { targetBytes });
    expectContiguous(splits, fs.statSync(file).size);
    const outcomes = readAll(file, "avro", targetBytes);
    expect(outcomes).toEqual(readAll(file, "avro"));
    expect(lines(outcomes)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(outcomes[3]).toMatchObject({
      ok: true,
      value: { fields: { id: 3, name: "event 3", at: new Date(1_700_000_003_000) } },
    });
  });

  test("a block with damaged data is one corrupt_avro_block dead letter; the rest is read", async () => {
    let claimed = 0;
    const file = await avroFile("damaged.avro", (bytes, frames) => {
      const block = frames[2];
      bytes.fill(0x55, block.dataStart + 5, block.dataStart + 40);
      claimed = frames.length;
    });
    expect(claimed).toBeGreaterThan(5);
    for (const targetBytes of [undefined, ...TARGETS]) {
      const outcomes = readAll(file, "avro", targetBytes);
      const dead = outcomes.filter((o) => !o.ok);
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        dead: {
          stage: "decode",
          errorClass: "corrupt_avro_block",
          errorMessage: expect.stringMatching(/header declares \d+ records/),
          records: expect.any(Number),
        },
      });
      if (!dead[0].ok)
        expect(Buffer.from(dead[0].dead.envelope.payloadBase64 ?? "", "base64").length).toBeGreaterThan(40);
      const good = outcomes.filter((o) => o.ok).length;
      expect(good).toBeGreaterThan(150);
      if (!dead[0].ok) expect(good + (dead[0].dead.records ?? 0)).toBe(200);
      expect(
        lines(outcomes.filter((o) => o.ok)).every((line, i, all) => i === 0 || (line ?? 0) > (all[i - 1] ?? 0)),
      ).toBe(true);
    }
  });

  test("a damaged sync marker: one dead letter for the block's declared records, then reading goes on", async () => {
    const file = await avroFile("badsync.avro", (bytes, frames) => (bytes[frames[1].dataEnd + 3] ^= 0xff));
    const outcomes = readAll(file, "avro", 64);
    expect(deadClasses(outcomes)).toEqual(["corrupt_avro_block"]);
    const dead = outcomes.find((o) => !o.ok);
    expect(outcomes.filter((o) => o.ok).length + (dead && !dead.ok ? (dead.dead.records ?? 0) : 0)).toBe(200);
    expect(readAll(file, "avro")).toEqual(outcomes);
  });

  test("a damaged block header: the frame runs to the next marker and its record count is unknown", async () => {
    const file = await avroFile("badheader.avro", (bytes, frames) =>
      bytes.fill(0xff, frames[1].start, frames[1].start + 12),
    );
    const outcomes = readAll(file, "avro", 64);
    expect(outcomes.filter((o) => !o.ok)).toMatchObject([
      { dead: { errorClass: "corrupt_avro_block", records: null } },
    ]);
    expect(readAll(file, "avro")).toEqual(outcomes);
  });

  test.each([
    ["truncated header", (b: Buffer) => b.subarray(0, 30)],
    ["not Avro at all", () => Buffer.from("hello, world")],
  ])("%s: one unreadable_file dead letter", async (_name, mangle) => {
    const file = writeFile("bad.avro", mangle(await encodeAvroFile(EVENT_SCHEMA, eventRecords(3))));
    expect(readAll(file, "avro")).toMatchObject([
      {
        ok: false,
        dead: { stage: "read", errorClass: "unreadable_file", errorMessage: expect.stringMatching(/Avro/) },
      },
    ]);
  });
});

describe("Parquet", () => {
  let file: string;
  beforeAll(async () => {
    file = path.join(dir, "mixed.parquet");
    await writeParquetFile(file, MIXED_ROWS_SQL.replace("ROWS", "10000"), "COMPRESSION zstd, ROW_GROUP_SIZE 2048");
  });

  test.each([1, 30_000, undefined])(
    "targetBytes %p: row-group ranges give the same rows as one split",
    (targetBytes) => {
      const splits = planSplits(file, "parquet", { targetBytes });
      expect(splits[splits.length - 1].end).toBeGreaterThan(1);
      expectContiguous(splits, splits[splits.length - 1].end);
      const outcomes = readAll(file, "parquet", targetBytes);
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(lines(outcomes)).toEqual(Array.from({ length: 10000 }, (_, i) => i + 1));
      expect(outcomes[9999]).toMatchObject({
        ok: true,
        value: { fields: { id: 9999, big: "9007199254750992", nested: { a: 9999 } } },
      });
    },
  );

  test.each([100_000, 30_000])(
    "targetBytes %p, row groups cut into pieces: the same records, in order, as whole row groups",
    (targetBytes) => {
      const whole = readAll(file, "parquet");
      const splits = planSplits(file, "parquet", { targetBytes, cutRowGroups: true });
      // 2,048 rows × 128 bytes: 3 pieces of ≤ 683 rows at 100,000 bytes, 9 of ≤ 228 at 30,000 (the last group is shorter).
      const perGroup = targetBytes === 100_000 ? 3 : 9;
      expect(splits.filter((s) => s.start === 0)).toHaveLength(perGroup);
      expect(splits.every((s) => s.rows && s.end === s.start + 1 && s.firstLine === s.rows.from + 1)).toBe(true);
      for (let i = 1; i < splits.length; i++) expect(splits[i].rows!.from).toBe(splits[i - 1].rows!.to);
      expect(splits[splits.length - 1].rows!.to).toBe(10000);
      const pieces = splits.flatMap((split) => [...readSplit(split)]);
      expect(pieces).toEqual(whole);
    },
  );

  test("row groups lighter than targetBytes are not cut, and still grouped", () => {
    const splits = planSplits(file, "parquet", { targetBytes: 600_000, cutRowGroups: true });
    expect(splits.map((s) => [s.start, s.end, s.rows])).toEqual([
      [0, 2, undefined],
      [2, 4, undefined],
      [4, 5, undefined],
    ]);
  });

  test("a damaged row group read in pieces is one dead letter for all its rows, as when read whole", () => {
    const bytes = fs.readFileSync(file);
    const groups = planSplits(file, "parquet", { targetBytes: 1 });
    const second = [...readSplit(groups[1])][0];
    const offset = second.ok ? second.value.envelope.source.offset! : 0;
    bytes.fill(0xff, offset, offset + 64);
    const damaged = writeFile("damaged-pieces.parquet", bytes);
    const splits = planSplits(damaged, "parquet", { targetBytes: 100_000, cutRowGroups: true });
    expect(splits.filter((s) => s.start === 1)).toHaveLength(3);
    const outcomes = splits.flatMap((split) => [...readSplit(split)]);
    expect(outcomes).toEqual(readAll(damaged, "parquet"));
    const dead = outcomes.flatMap((o) => (o.ok ? [] : [o.dead]));
    expect(dead.map((d) => [d.errorClass, d.envelope.source.line, d.envelope.payload])).toEqual([
      ["corrupt_parquet_row_group", 2049, '{"rowGroup":1,"rows":2048}'],
    ]);
    expect(outcomes).toHaveLength(10000 - 2048 + 1);
  });

  test("a damaged row group is one corrupt_parquet_row_group dead letter", () => {
    const bytes = fs.readFileSync(file);
    const groups = planSplits(file, "parquet", { targetBytes: 1 });
    const second = [...readSplit(groups[1])][0];
    const offset = second.ok ? second.value.envelope.source.offset! : 0;
    bytes.fill(0xff, offset, offset + 64);
    const damaged = writeFile("damaged.parquet", bytes);
    const outcomes = readAll(damaged, "parquet");
    expect(deadClasses(outcomes)).toEqual(["corrupt_parquet_row_group"]);
    const rowsInGroup = [...readSplit(groups[1])].length;
    expect(outcomes).toHaveLength(10000 - rowsInGroup + 1);
  });

  test("a truncated file is one unreadable_file dead letter", () => {
    const cut = writeFile("cut.parquet", fs.readFileSync(file).subarray(0, 5000));
    expect(readAll(cut, "parquet")).toMatchObject([
      { ok: false, dead: { stage: "read", errorClass: "unreadable_file" } },
    ]);
  });
});

describe("large files, streamed", () => {
  // Under jest hyparquet runs in the host realm and every value crosses realms, about 6x slower than in
  // production (3M rows: ~8 s plain node, ~46 s here); so one full row group is read here, the whole file in the bench.
  test("flights-3m.parquet: 11 row-group splits; the last one ends at row 3,000,000", () => {
    const splits = planSplits(FLIGHTS, "parquet", { targetBytes: 1 });
    expect(splits.map((s) => [s.start, s.end, s.firstLine])).toEqual(
      Array.from({ length: 11 }, (_, i) => [i, i + 1, i * 272_727 + 1]),
    );
    let expected = splits[10].firstLine;
    for (const outcome of readSplit(splits[10])) {
      if (!outcome.ok || outcome.value.envelope.source.line !== expected)
        throw new Error(`row ${expected}: ${JSON.stringify(outcome)}`);
      expected++;
    }
    expect(expected - 1).toBe(3_000_000);
    // Row groups are grouped by the weight of their records (272,727 rows × 128 bytes ≈ 35 MB each).
    const pairs = planSplits(FLIGHTS, "parquet", { targetBytes: 75 << 20 });
    expect(pairs.map((s) => [s.start, s.end])).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
      [6, 8],
      [8, 10],
      [10, 11],
    ]);
  });

  test("a ~50 MB JSONL file is read in splits with bounded memory", () => {
    const file = path.join(dir, "big.jsonl");
    const fd = fs.openSync(file, "w");
    const line = (i: number) => `{"id":${i},"user":"u${i % 997}","delay":${i % 120},"note":"${"n".repeat(60)}"}\n`;
    for (let i = 0; i < 500_000; i += 10_000)
      fs.writeSync(fd, Array.from({ length: 10_000 }, (_, j) => line(i + j)).join(""));
    fs.closeSync(fd);
    expect(fs.statSync(file).size).toBeGreaterThan(45_000_000);

    // Bounded memory, judged by V8 rather than by sampling heap figures (which garbage not yet collected inflates when
    // other suites share the process): the reader runs in its own Node with a 48 MB old-space limit, about the size of
    // the file, and must read every line without running out.
    const script = `
      const { planSplits, readSplit } = require(${JSON.stringify(path.resolve(__dirname, "..", "..", "dist", "io", "files", "splits.js"))});
      let count = 0;
      for (const split of planSplits(${JSON.stringify(file)}, "jsonl", { targetBytes: 8 * 1024 * 1024 })) {
        for (const outcome of readSplit(split)) {
          if (!outcome.ok || outcome.value.envelope.source.line !== count + 1) throw new Error("line " + (count + 1));
          count++;
        }
      }
      process.stdout.write(String(count));`;
    const out = execFileSync(process.execPath, ["--max-old-space-size=48", "-e", script], { encoding: "utf8" });
    expect(Number(out)).toBe(500_000);
  });
});
