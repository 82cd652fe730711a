import { decodeJsonRecord } from "../../transforms/decode/json-record";
import type { FramedRecord } from "../../transforms/decode/record-assembler";
import { prepareTextRecord } from "../../transforms/decode/text-record";

const uri = "file:///in/events.jsonl";

function framed(bytes: Buffer | string, extra: Partial<FramedRecord> = {}): FramedRecord {
  const buffer = Buffer.from(bytes);
  return { bytes: buffer, offset: 120, line: 9, size: buffer.length + 1, newlines: 1, oversized: false, ...extra };
}

function decodeJsonLine(bytes: Buffer | string, extra: Partial<FramedRecord> = {}) {
  const prepared = prepareTextRecord(framed(bytes, extra), uri);
  return prepared && (prepared.ok ? decodeJsonRecord(prepared.value) : prepared);
}

describe("JSON lines", () => {
  test("an object keeps JSON's own types: a quoted number stays a string", () => {
    const result = decodeJsonLine('{"delay":"33","distance":2176,"ok":true,"tags":["a"],"n":null}');
    expect(result).toEqual({
      ok: true,
      value: {
        fields: { delay: "33", distance: 2176, ok: true, tags: ["a"], n: null },
        envelope: {
          payload: '{"delay":"33","distance":2176,"ok":true,"tags":["a"],"n":null}',
          source: { uri, line: 9, offset: 120 },
          attempt: 1,
        },
      },
    });
  });

  test.each([
    ["empty", ""],
    ["spaces", "   "],
    ["tabs and CR", "\t\r"],
  ])("a blank line (%s) is skipped", (_name, line) => {
    expect(decodeJsonLine(line)).toBeUndefined();
  });

  test.each([
    ["malformed", '{"a":', "malformed_json", /^malformed JSON at line 9: /],
    ["trailing garbage", '{"a":1} x', "malformed_json", /line 9/],
    ["array", "[1,2]", "not_an_object", /is an array, not an object/],
    ["number", "42", "not_an_object", /is a number/],
    ["string", '"x"', "not_an_object", /is a string/],
    ["null", "null", "not_an_object", /is null/],
  ])("%s becomes a dead letter", (_name, line, errorClass, message) => {
    const result = decodeJsonLine(line);
    expect(result).toMatchObject({
      ok: false,
      dead: {
        stage: "decode",
        errorClass,
        envelope: { payload: line, source: { uri, line: 9, offset: 120 }, attempt: 1 },
      },
    });
    if (result && !result.ok) expect(result.dead.errorMessage).toMatch(message);
  });

  test("invalid UTF-8 keeps the raw bytes in payloadBase64", () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const result = decodeJsonLine(bytes);
    expect(result).toMatchObject({
      ok: false,
      dead: {
        stage: "decode",
        errorClass: "invalid_utf8",
        envelope: { payload: '{"a":"\uFFFD\uFFFD"}', payloadBase64: bytes.toString("base64") },
      },
    });
  });

  test("an oversized record is one record_too_large dead letter noting its full size", () => {
    const result = decodeJsonLine("x".repeat(100), { size: 2_000_001, oversized: true });
    expect(result).toMatchObject({
      ok: false,
      dead: { stage: "decode", errorClass: "record_too_large", envelope: { payload: "x".repeat(100) } },
    });
    if (result && !result.ok) expect(result.dead.errorMessage).toMatch(/line 9 is 2000001 bytes/);
  });

  test("a BOM at the start of the file is not part of the record", () => {
    expect(decodeJsonLine(Buffer.from('\uFEFF{"a":1}'))).toMatchObject({ ok: true, value: { fields: { a: 1 } } });
  });
});
