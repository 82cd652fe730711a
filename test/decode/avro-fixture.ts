import * as avro from "avsc";
import { longType } from "../../transforms/decode/avro-types";
import * as zlib from "node:zlib";
import { requireEsm } from "../../transforms/decode/esm-modules";

type Hysnappy = { snappyCompress(input: Uint8Array): Uint8Array };

/** Writes longs from bigint or number (avsc's default long refuses bigint and values above 2^53). */
const writerLong = longType((value) => value);

function writerType(schema: avro.Schema): avro.Type {
  const hook = (s: avro.Schema) =>
    (typeof s === "string" ? s : (s as { type?: unknown }).type) === "long" ? writerLong : undefined;
  return avro.Type.forSchema(schema, { typeHook: hook });
}

/** Avro snappy: raw snappy, then the big-endian CRC32 of the uncompressed bytes. */
function snappyCodec(data: Buffer, callback: (error: Error | null, result?: Buffer) => void): void {
  const compressed = requireEsm<Hysnappy>("hysnappy").snappyCompress(data);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data));
  callback(null, Buffer.concat([compressed, crc]));
}

/** An Avro object container file in memory, written by avsc's own BlockEncoder. */
export async function encodeAvroFile(
  schema: avro.Schema,
  records: unknown[],
  opts: { codec?: string; blockSize?: number } = {},
): Promise<Buffer> {
  const codecs = { ...avro.streams.BlockEncoder.defaultCodecs(), snappy: snappyCodec };
  const encoder = new avro.streams.BlockEncoder(
    writerType(schema) as unknown as avro.Schema,
    { codec: opts.codec ?? "null", blockSize: opts.blockSize ?? 256, codecs } as never,
  );
  // Given a Type, avsc writes the type's own export as the header schema, which drops logicalType
  // attributes from our bigint longs; the header must carry the schema as written.
  (encoder as unknown as { _schema: avro.Schema })._schema = schema;
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    encoder.on("data", (chunk: Buffer) => chunks.push(chunk));
    encoder.on("end", resolve);
    encoder.on("error", reject);
  });
  for (const record of records) encoder.write(record);
  encoder.end();
  await done;
  return Buffer.concat(chunks);
}

export const EVENT_SCHEMA: avro.Schema = {
  type: "record",
  name: "Event",
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
    { name: "at", type: { type: "long", logicalType: "timestamp-micros" } },
    { name: "score", type: ["null", "double"] },
    { name: "blob", type: "bytes" },
  ],
};

export function eventRecords(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i === 0 ? 2n ** 60n : BigInt(i),
    name: `event ${i}`,
    at: 1_700_000_000_000_000n + BigInt(i) * 1_000_000n,
    score: i % 3 === 0 ? null : i / 2,
    blob: Buffer.from([i % 256, 1, 2]),
  }));
}
