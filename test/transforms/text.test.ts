import {
  clipText,
  findIllFormedText,
  utf8Prefix,
  wellFormedText,
  withoutPartialCharacter,
} from "../../transforms/text";
import { describeValue } from "../../transforms/constraints";
import { decodeMessage } from "../../transforms/decode/message";

describe("text the job writes never splits a character", () => {
  test.each([
    ["short text stays", "abc", 5, "abc"],
    ["cut with an ellipsis", "abcdefgh", 5, "ab..."],
    ["a pair at the cut moves out whole", "ab😀cdef", 6, "ab..."],
    ["a pair before the cut stays", "a😀bcdef", 7, "a😀b..."],
  ])("clipText: %s", (_name, text, max, expected) => {
    expect(clipText(text, max)).toBe(expected);
    expect(wellFormedText(clipText(text, max))).toBe(clipText(text, max));
  });

  test("describeValue: 75 As, an emoji and BBBB is cut before the emoji", () => {
    const described = describeValue(`${"A".repeat(75)}😀BBBB`);
    expect(described).toBe(`"${"A".repeat(75)}...`);
  });

  test.each([
    ["ASCII", Buffer.from("abcdef"), 4, "abcd"],
    ["a 2-byte character at the cut", Buffer.from("abcé"), 4, "abc"],
    ["a 4-byte character at the cut", Buffer.from("a😀"), 3, "a"],
    ["a whole character before the cut", Buffer.from("é😀x"), 6, "é😀"],
  ])("utf8Prefix: %s", (_name, bytes, max, expected) => {
    expect(Buffer.from(utf8Prefix(bytes, max)).toString()).toBe(expected);
  });

  test("withoutPartialCharacter leaves bytes that are not UTF-8 as they are", () => {
    const junk = Buffer.from([0x61, 0x80, 0x80, 0x80, 0x80]);
    expect(withoutPartialCharacter(junk)).toBe(junk);
    expect(withoutPartialCharacter(Buffer.from([0x61, 0xf0, 0x9f]))).toEqual(Buffer.from([0x61]));
  });

  test.each([
    [{ a: "x", b: ["y", { c: "\ud800" }] }, "b[1].c"],
    [{ ["k\udc00"]: 1 }, "(a key)"],
    [{ a: "😀", b: "\uffff\u0000" }, undefined],
  ])("findIllFormedText(%j) = %s", (value, path) => {
    expect(findIllFormedText(value)).toBe(path);
  });

  test("a Pub/Sub message with a lone surrogate escape is an invalid_unicode dead letter", () => {
    const data = Buffer.from('{"event_id":"m\\ud800"}').toString("base64");
    const message = { messageId: "7", data, attributes: {}, publishTime: "2001-01-01T00:00:00Z", deliveryAttempt: 1 };
    expect(decodeMessage(message, "pubsub://s", { maxRecordBytes: 1 << 20, maxDeliveryAttempts: 5 })).toMatchObject({
      ok: false,
      dead: { stage: "decode", errorClass: "invalid_unicode" },
    });
  });
});
