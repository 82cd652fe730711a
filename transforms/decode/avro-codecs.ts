import * as zlib from "node:zlib";
import type { AvroCodec } from "./avro-header";
import { AvroCursor } from "./avro-cursor";
import { asBuffer } from "./byte-source";
import { requireEsm } from "./esm-modules";
import { MAX_BLOCK_BYTES } from "./avro-blocks";

type Snappy = typeof import("hyparquet/src/snappy.js", { with: { "resolution-mode": "import" } });
type Compressors = typeof import("hyparquet-compressors", { with: { "resolution-mode": "import" } });

/** A compressed block may not inflate beyond this: a corrupt length must not exhaust memory. */
const MAX_INFLATED_BYTES = 4 * MAX_BLOCK_BYTES;

/** Decompresses one block's data; throws on data the codec rejects (the caller dead-letters the block). */
export function decompressAvroBlock(codec: AvroCodec, data: Uint8Array): Uint8Array {
  switch (codec) {
    case "null":
      return data;
    case "deflate":
      return zlib.inflateRawSync(data, { maxOutputLength: MAX_INFLATED_BYTES });
    case "snappy":
      return uncompressSnappy(data);
    case "zstandard":
      return requireEsm<Compressors>("hyparquet-compressors").decompressZstd(data);
  }
}

/** Avro's snappy blocks are raw snappy followed by the big-endian CRC32 of the uncompressed bytes. */
function uncompressSnappy(data: Uint8Array): Uint8Array {
  if (data.length < 4) throw new Error("snappy block shorter than its checksum");
  const compressed = data.subarray(0, data.length - 4);
  const length = new AvroCursor(compressed).readVarint();
  if (length > MAX_INFLATED_BYTES) throw new Error(`snappy block claims ${length} bytes`);
  const output = new Uint8Array(length);
  requireEsm<Snappy>("hyparquet/src/snappy.js").snappyUncompress(compressed, output);
  const expected = asBuffer(data).readUInt32BE(data.length - 4);
  if (zlib.crc32(output) !== expected) throw new Error("snappy block fails its CRC32 check");
  return output;
}
