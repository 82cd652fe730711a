import { AvroCursor, NeedMoreBytes } from "./avro-cursor";
import type { ByteSource } from "./byte-source";

export const AVRO_CODECS = ["null", "deflate", "snappy", "zstandard"] as const;
export type AvroCodec = (typeof AVRO_CODECS)[number];

export interface AvroHeader {
  schema: unknown;
  codec: AvroCodec;
  sync: Uint8Array;
  /** Offset of the first block. */
  dataStart: number;
}

export type AvroHeaderRead = { ok: true; header: AvroHeader } | { ok: false; reason: string };

const MAGIC = [0x4f, 0x62, 0x6a, 0x01]; // "Obj" 1
const FIRST_READ = 64 * 1024;
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/** Reads an object container file's header, fetching more bytes while its metadata map runs on. */
export function readAvroHeader(source: ByteSource): AvroHeaderRead {
  for (let length = FIRST_READ; ; length *= 4) {
    const bytes = source.read(0, length);
    try {
      return parseHeader(bytes);
    } catch (error) {
      const truncated = error instanceof NeedMoreBytes;
      if (truncated && bytes.length === length && length < MAX_HEADER_BYTES) continue;
      return { ok: false, reason: `invalid Avro header: ${(error as Error).message}` };
    }
  }
}

function parseHeader(bytes: Uint8Array): AvroHeaderRead {
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    return { ok: false, reason: "not an Avro object container file (bad magic)" };
  }
  const cursor = new AvroCursor(bytes, MAGIC.length);
  const meta = readMetadata(cursor);
  const sync = cursor.take(16);
  const codec = meta.get("avro.codec") ?? "null";
  if (!(AVRO_CODECS as readonly string[]).includes(codec))
    return { ok: false, reason: `unsupported Avro codec ${codec}` };
  const schemaText = meta.get("avro.schema");
  if (schemaText === undefined) return { ok: false, reason: "Avro header has no avro.schema" };
  const header = {
    schema: JSON.parse(schemaText),
    codec: codec as AvroCodec,
    sync: sync.slice(),
    dataStart: cursor.position,
  };
  return { ok: true, header };
}

/** The metadata map: blocks of key/value pairs, a negative count being followed by the block's byte size. */
function readMetadata(cursor: AvroCursor): Map<string, string> {
  const meta = new Map<string, string>();
  const text = new TextDecoder();
  for (let count = cursor.readLong(); count !== 0; count = cursor.readLong()) {
    if (count < 0) cursor.readLong();
    for (let i = 0; i < Math.abs(count); i++)
      meta.set(text.decode(cursor.readBytes()), text.decode(cursor.readBytes()));
  }
  return meta;
}
