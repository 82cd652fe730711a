import * as avro from "avsc";

type LongSchema = { type?: unknown; logicalType?: unknown };

/** A long type that decodes 64-bit values exactly (avsc's default throws above 2^53) and maps them. */
export function longType(fromBigint: (value: bigint) => unknown): avro.types.LongType {
  return avro.types.LongType.__with({
    fromBuffer: (buffer: Buffer) => fromBigint(buffer.readBigInt64LE()),
    toBuffer: (value: bigint | number) => {
      const buffer = Buffer.alloc(8);
      buffer.writeBigInt64LE(BigInt(value));
      return buffer;
    },
    fromJSON: (value: unknown) => BigInt(value as string),
    toJSON: (value: bigint) => Number(value),
    isValid: (value: unknown) => typeof value === "bigint" || Number.isInteger(value),
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  });
}

// Local timestamps carry no zone; like Parquet's non-UTC-adjusted ones they are read as UTC.
const LONGS_BY_LOGICAL_TYPE: Record<string, avro.types.LongType> = {
  "timestamp-millis": longType((v) => new Date(Number(v))),
  "timestamp-micros": longType((v) => new Date(Number(v / 1000n))),
  "timestamp-nanos": longType((v) => new Date(Number(v / 1000000n))),
  "local-timestamp-millis": longType((v) => new Date(Number(v))),
  "local-timestamp-micros": longType((v) => new Date(Number(v / 1000n))),
  "local-timestamp-nanos": longType((v) => new Date(Number(v / 1000000n))),
};
const PLAIN_LONG = longType((v) => v);

/** Avro `date` (days since the epoch) as a Date at UTC midnight. */
class DateType extends avro.types.LogicalType {
  protected override _fromValue(days: number): Date {
    return new Date(days * 86_400_000);
  }
  protected override _toValue(date: Date): number {
    return Math.floor(date.getTime() / 86_400_000);
  }
}

function hookLongs(schema: avro.Schema): avro.Type | undefined {
  const long = schema as LongSchema;
  const name = typeof schema === "string" ? schema : long.type;
  if (name !== "long") return undefined;
  return LONGS_BY_LOGICAL_TYPE[String(long.logicalType)] ?? PLAIN_LONG;
}

/** The type that decodes a file's records: its writer schema, with longs as bigint and timestamps as Dates. */
export function createAvroReaderType(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { typeHook: hookLongs, logicalTypes: { date: DateType } });
}
