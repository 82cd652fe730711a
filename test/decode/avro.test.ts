import * as avro from "avsc";
import { decodeAvroBlock } from "../../transforms/decode/avro-block";
import { recordsSpanned, walkAvroBlocks } from "../../transforms/decode/avro-blocks";
import { readAvroHeader } from "../../transforms/decode/avro-header";
import { createAvroReaderType } from "../../transforms/decode/avro-types";
import { decodeBinaryRecord } from "../../transforms/decode/binary-record";
import { memoryByteSource } from "../../transforms/decode/byte-source";
import { encodeAvroFile, EVENT_SCHEMA, eventRecords } from "./avro-fixture";

/** Decodes a whole in-memory file block by block; a corrupt block contributes its reason. */
function decodeFile(file: Buffer): (unknown[] | string)[] {
  const source = memoryByteSource(file);
  const read = readAvroHeader(source);
  if (!read.ok) throw new Error(read.reason);
  const type = createAvroReaderType(read.header.schema);
  return [...walkAvroBlocks(source, read.header.sync, read.header.dataStart, source.size)].map((frame) => {
    const decoded = decodeAvroBlock(frame, file.subarray(frame.dataStart, frame.dataEnd), read.header.codec, type);
    return decoded.ok ? decoded.records : decoded.reason;
  });
}

describe("Avro container decoding", () => {
  test.each(["null", "deflate", "snappy"])("codec %s round-trips every record", async (codec) => {
    const file = await encodeAvroFile(EVENT_SCHEMA, eventRecords(50), { codec, blockSize: 300 });
    const blocks = decodeFile(file);
    expect(blocks.length).toBeGreaterThan(3);
    const records = blocks.flat() as Record<string, unknown>[];
    expect(records).toHaveLength(50);
    expect(records[0]).toMatchObject({ id: 2n ** 60n, name: "event 0", at: new Date(1_700_000_000_000), score: null });
    expect(records[5]).toMatchObject({ id: 5n, score: 2.5 });
  });

  test("a binary record becomes plain fields and a JSON payload", async () => {
    const [record] = decodeFile(await encodeAvroFile(EVENT_SCHEMA, eventRecords(1)))[0] as unknown[];
    const decoded = decodeBinaryRecord(record, { uri: "file:///e.avro", line: 1, offset: 42 });
    expect(decoded).toEqual({
      ok: true,
      value: {
        fields: {
          id: "1152921504606846976",
          name: "event 0",
          at: new Date(1_700_000_000_000),
          score: null,
          blob: new Uint8Array([0, 1, 2]),
        },
        envelope: {
          payload:
            '{"id":"1152921504606846976","name":"event 0","at":"2023-11-14T22:13:20.000Z","score":null,"blob":"AAEC"}',
          source: { uri: "file:///e.avro", line: 1, offset: 42 },
          attempt: 1,
        },
      },
    });
  });

  test("a file of non-records gives not_an_object", async () => {
    const [values] = decodeFile(await encodeAvroFile("int" as avro.Schema, [7]));
    expect(decodeBinaryRecord((values as unknown[])[0], { uri: "u", line: 1 })).toMatchObject({
      ok: false,
      dead: { errorClass: "not_an_object" },
    });
  });

  test.each([
    ["deflate", 0.5, /deflate data does not decompress/],
    ["snappy", 0.5, /snappy data does not decompress/],
    ["null", 0.5, /a record does not decode|runs past the end of the block|left after the last record/],
  ])("a %s block with damaged data is corrupt as a whole, the others decode", async (codec, where, reason) => {
    const file = await encodeAvroFile(EVENT_SCHEMA, eventRecords(60), { codec, blockSize: 400 });
    const source = memoryByteSource(file);
    const header = readAvroHeader(source);
    if (!header.ok) throw new Error(header.reason);
    const frames = [...walkAvroBlocks(source, header.header.sync, header.header.dataStart, file.length)];
    const target = frames[1];
    const at = target.dataStart + Math.floor((target.dataEnd - target.dataStart) * where);
    file.fill(0xff, at, at + 8);
    const blocks = decodeFile(file);
    expect(blocks).toHaveLength(frames.length);
    expect(typeof blocks[1]).toBe("string");
    expect(blocks[1]).toMatch(reason);
    expect(blocks.filter((b) => typeof b !== "string").flat()).toHaveLength(60 - target.count);
  });

  test("a damaged sync marker before a block that frames cleanly: the frame keeps its bounds and its declared count", async () => {
    const file = await encodeAvroFile(EVENT_SCHEMA, eventRecords(60), { blockSize: 400 });
    const source = memoryByteSource(file);
    const read = readAvroHeader(source);
    if (!read.ok) throw new Error(read.reason);
    const frames = [...walkAvroBlocks(source, read.header.sync, read.header.dataStart, file.length)];
    file[frames[1].dataEnd] ^= 0xff;
    const after = [...walkAvroBlocks(source, read.header.sync, read.header.dataStart, file.length)];
    expect(after).toHaveLength(frames.length);
    expect(after[1]).toMatchObject({
      start: frames[1].start,
      end: frames[1].end,
      countKnown: true,
      problem: "damaged sync marker after the block",
    });
    expect(recordsSpanned(after[1])).toBe(frames[1].count);
  });

  test("a damaged size field makes one broken frame that runs to the next marker, its count unknown", async () => {
    const file = await encodeAvroFile(EVENT_SCHEMA, eventRecords(60), { blockSize: 400 });
    const source = memoryByteSource(file);
    const read = readAvroHeader(source);
    if (!read.ok) throw new Error(read.reason);
    const frames = [...walkAvroBlocks(source, read.header.sync, read.header.dataStart, file.length)];
    file[frames[1].dataStart - 1] ^= 0x04; // the size varint's last byte
    const after = [...walkAvroBlocks(source, read.header.sync, read.header.dataStart, file.length)];
    expect(after[1]).toMatchObject({ start: frames[1].start, end: frames[1].end, countKnown: false });
    expect(recordsSpanned(after[1])).toBe(0);
    expect(after[2].start).toBe(frames[2].start);
  });

  test("a truncated last block runs to the end of the file", async () => {
    const file = await encodeAvroFile(EVENT_SCHEMA, eventRecords(30), { blockSize: 400 });
    const cut = file.subarray(0, file.length - 5);
    const source = memoryByteSource(cut);
    const read = readAvroHeader(source);
    if (!read.ok) throw new Error(read.reason);
    const frames = [...walkAvroBlocks(source, read.header.sync, read.header.dataStart, cut.length)];
    expect(frames[frames.length - 1]).toMatchObject({
      end: cut.length,
      problem: "block runs past the end of the file",
    });
  });

  test.each([
    ["empty", Buffer.alloc(0), /bad magic/],
    ["not Avro", Buffer.from("PAR1 hello"), /bad magic/],
    ["cut inside the metadata", Buffer.from("Obj\x01\x04\x16avro.sch", "latin1"), /invalid Avro header/],
    ["unsupported codec", handMadeHeader("bzip2"), /unsupported Avro codec bzip2/],
  ])("header: %s", (_name, bytes, reason) => {
    const read = readAvroHeader(memoryByteSource(bytes));
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.reason).toMatch(reason);
  });
});

/** Magic, a one-block metadata map {avro.codec, avro.schema}, and a sync marker. */
function handMadeHeader(codec: string): Buffer {
  const long = (n: number) => Buffer.from([n * 2]);
  const text = (s: string) => Buffer.concat([long(Buffer.byteLength(s)), Buffer.from(s)]);
  const map = Buffer.concat([long(2), text("avro.codec"), text(codec), text("avro.schema"), text('"int"'), long(0)]);
  return Buffer.concat([Buffer.from("Obj\x01", "latin1"), map, Buffer.alloc(16, 7)]);
}
