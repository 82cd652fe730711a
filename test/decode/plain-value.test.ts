import { formatIsoDate } from "../../transforms/decode/iso-date";
import { renderJson, toPlainValue } from "../../transforms/decode/plain-value";

describe("toPlainValue", () => {
  test.each([
    ["safe bigint", 33n, 33],
    ["negative safe bigint", -(2n ** 53n) + 1n, -(2 ** 53) + 1],
    ["unsafe bigint", 2n ** 53n, "9007199254740992"],
    ["unsafe negative bigint", -(2n ** 63n), "-9223372036854775808"],
    ["Date", new Date(0), new Date(0)],
    ["Buffer", Buffer.from([1, 2]), new Uint8Array([1, 2])],
    ["typed array", new BigInt64Array([1n, 2n ** 60n]), [1, "1152921504606846976"]],
    ["Map", new Map([["k", 1n]]), { k: 1 }],
    ["nested", { a: [{ b: 5n }], c: null }, { a: [{ b: 5 }], c: null }],
  ])("%s", (_name, input, expected) => {
    expect(toPlainValue(input)).toEqual(expected);
  });

  test("bytes are copied, not shared with the block they came from", () => {
    const block = Buffer.from([1, 2, 3, 4]);
    const plain = toPlainValue(block.subarray(1, 3)) as Uint8Array;
    expect(Buffer.isBuffer(plain)).toBe(false);
    expect(plain.buffer).not.toBe(block.buffer);
  });

  test("class instances (avsc records) keep only their own fields", () => {
    class Event {
      constructor(readonly id: bigint) {}
      describe(): string {
        return "event";
      }
    }
    expect(toPlainValue(new Event(1n))).toEqual({ id: 1 });
  });
});

describe("renderJson", () => {
  test.each([
    ["bigints as strings", { a: 1n, b: [2n ** 64n] }, '{"a":"1","b":["18446744073709551616"]}'],
    ["Dates as ISO strings", { at: new Date(Date.UTC(2001, 0, 1, 0, 1)) }, '{"at":"2001-01-01T00:01:00.000Z"}'],
    ["invalid Date as null", { at: new Date(Number.NaN) }, '{"at":null}'],
    ["bytes as base64", { b: Buffer.from("hi"), u: new Uint8Array([255]) }, '{"b":"aGk=","u":"/w=="}'],
    ["undefined fields dropped", { a: undefined, b: 1 }, '{"b":1}'],
    ["Map as object", { m: new Map([["x", 1n]]) }, '{"m":{"x":"1"}}'],
  ])("%s", (_name, input, expected) => {
    expect(renderJson(input)).toBe(expected);
  });
});

describe("formatIsoDate", () => {
  test("matches toISOString across days, years and extremes", () => {
    const samples = [
      0, -1, 1, 951_782_400_000, 1_709_251_199_999, -62_198_755_200_000, 253_402_300_799_999, 8.64e15, -8.64e15,
    ];
    for (let ms = 1_600_000_000_000; ms < 1_600_000_000_000 + 5 * 86_400_000; ms += 7_777_777) samples.push(ms);
    for (const ms of samples) expect(formatIsoDate(new Date(ms))).toBe(new Date(ms).toISOString());
  });
});
