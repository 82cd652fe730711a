import type * as avro from "avsc";
import type { AvroBlockFrame } from "./avro-blocks";
import { decompressAvroBlock } from "./avro-codecs";
import type { AvroCodec } from "./avro-header";
import { asBuffer } from "./byte-source";

export type AvroBlockRead = { ok: true; records: unknown[] } | { ok: false; reason: string };

/**
 * Decodes every record of one block, or none: a block is corrupt as a whole when its codec data, any
 * record, or the record count against the bytes does not check out.
 */
export function decodeAvroBlock(
  frame: AvroBlockFrame,
  blockData: Uint8Array,
  codec: AvroCodec,
  type: avro.Type,
): AvroBlockRead {
  if (frame.problem) return { ok: false, reason: frame.problem };
  let data: Buffer;
  try {
    data = asBuffer(decompressAvroBlock(codec, blockData));
  } catch (error) {
    return { ok: false, reason: `${codec} data does not decompress: ${(error as Error).message}` };
  }
  try {
    return decodeRecords(data, frame.count, type);
  } catch (error) {
    return { ok: false, reason: `a record does not decode: ${(error as Error).message}` };
  }
}

function decodeRecords(data: Buffer, count: number, type: avro.Type): AvroBlockRead {
  const records: unknown[] = [];
  let position = 0;
  for (let i = 0; i < count; i++) {
    const decoded = type.decode(data, position);
    if (decoded.offset < 0) return { ok: false, reason: `record ${i + 1} runs past the end of the block` };
    records.push(decoded.value);
    position = decoded.offset;
  }
  if (position !== data.length)
    return { ok: false, reason: `${data.length - position} bytes left after the last record` };
  return { ok: true, records };
}
