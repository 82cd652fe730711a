import { PREVIEW_BYTES, RecordAssembler, type FramedRecord } from "../../transforms/decode/record-assembler";
import { lineFramer } from "../../transforms/decode/record-framer";

function assemble(
  bytes: Buffer,
  chunkSize: number,
  maxRecordBytes: number,
  start = { offset: 0, line: 1 },
): FramedRecord[] {
  const assembler = new RecordAssembler(lineFramer, { ...start, maxRecordBytes });
  const records: FramedRecord[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize)
    records.push(...assembler.push(bytes.subarray(at, at + chunkSize)));
  return [...records, ...assembler.finish()];
}

describe("RecordAssembler", () => {
  test("tracks offsets, lines, sizes and newlines from the split's start", () => {
    const records = assemble(Buffer.from("ab\r\n\ncd"), 2, 100, { offset: 1000, line: 41 });
    expect(records.map(({ offset, line, size, newlines }) => ({ offset, line, size, newlines }))).toEqual([
      { offset: 1000, line: 41, size: 4, newlines: 1 },
      { offset: 1004, line: 42, size: 1, newlines: 1 },
      { offset: 1005, line: 43, size: 2, newlines: 0 },
    ]);
    expect(records.map((r) => Buffer.from(r.bytes).toString())).toEqual(["ab", "", "cd"]);
  });

  test.each([
    ["exactly the limit", 10, false],
    ["one byte over", 11, true],
  ])("a record of %s", (_name, length, oversized) => {
    const records = assemble(Buffer.from("x".repeat(length) + "\r\nnext\n"), 3, 10);
    expect(records.map((r) => r.oversized)).toEqual([oversized, false]);
    expect(records[1]).toMatchObject({ line: 2, offset: length + 2 });
  });

  test("a 2 MB line is one oversized record with a 64 KiB preview, and reading goes on", () => {
    const big = Buffer.alloc(2_000_000, "y");
    const records = assemble(Buffer.concat([Buffer.from("a\n"), big, Buffer.from("\nb\n")]), 64 * 1024, 1024 * 1024);
    expect(records.map((r) => [r.line, r.oversized, r.size])).toEqual([
      [1, false, 2],
      [2, true, 2_000_001],
      [3, false, 2],
    ]);
    expect(records[1].bytes.length).toBe(PREVIEW_BYTES);
  });

  test("the preview fills up to 64 KiB even when the limit is smaller", () => {
    const records = assemble(Buffer.alloc(100_000, "z"), 1000, 10);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ oversized: true, size: 100_000 });
    expect(records[0].bytes.length).toBe(PREVIEW_BYTES);
  });

  test("an oversized record is not buffered beyond the limit plus one chunk", () => {
    const assembler = new RecordAssembler(lineFramer, { offset: 0, line: 1, maxRecordBytes: 1000 });
    const chunk = Buffer.alloc(4096, "q");
    for (let i = 0; i < 1000; i++) expect([...assembler.push(chunk)]).toEqual([]);
    const retained = (assembler as unknown as { parts: Uint8Array[] }).parts.reduce((n, p) => n + p.length, 0);
    expect(retained).toBeLessThanOrEqual(PREVIEW_BYTES);
  });
});
