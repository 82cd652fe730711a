import { requireForSerialization } from "apache-beam/serialization";
import { globalRegistry, writeRawBytes, type Coder, type Context, type ProtoContext } from "apache-beam/coders/coders";
import { AtomicType, Schema, type FieldType } from "apache-beam/proto/schema";
import type { Coder as CoderProto } from "apache-beam/proto/beam_runner_api";
import type { Reader, Writer } from "protobufjs";
import { DATE_URN, MILLIS_INSTANT_URN } from "./row-schema";

export const ROW_CODER_URN = "beam:coder:row:v1";
type Row = Record<string, unknown>;
const DAY_MS = 86_400_000;
const SIGN_BIT = 1n << 63n;

export class RowCodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RowCodingError";
  }
}

/**
 * `beam:coder:row:v1` for the rows that cross to Java, with values as BigQuery's JSON has them (TIMESTAMP an ISO
 * string, DATE `YYYY-MM-DD`, BYTES base64). The SDK's own RowCoder (2.49.0) throws on DOUBLE and FLOAT and misorders
 * fields of schemas with encoding positions past 10 (it sorts positions as strings); Java encodes DATETIME with its
 * InstantCoder (8 bytes, big-endian, sign bit flipped), not as the varint its portable INT64 representation suggests.
 */
export class PortableRowCoder implements Coder<Row> {
  readonly schema: Schema;
  private readonly order: number[];

  constructor(schema: Schema | Uint8Array) {
    this.schema = schema instanceof Uint8Array ? Schema.fromBinary(schema) : schema;
    const fields = this.schema.fields;
    this.order = fields.map((_, i) => i);
    if (this.schema.encodingPositionsSet) this.order.sort((a, b) => fields[a].encodingPosition - fields[b].encodingPosition);
  }

  encode(row: Row, writer: Writer, _context?: Context): void {
    const fields = this.schema.fields;
    const values = fields.map((f) => row[f.name]);
    writer.uint32(fields.length);
    writer.bytes(nullBitmap(values));
    for (const i of this.order) {
      const value = values[i];
      if (value === null || value === undefined) {
        if (!fields[i].type?.nullable) throw new RowCodingError(`field ${fields[i].name} is required but has no value`);
      } else encodeValue(typeOf(fields[i].name, fields[i].type), value, writer);
    }
  }

  decode(reader: Reader, _context?: Context): Row {
    const fields = this.schema.fields;
    const count = reader.uint32();
    const bitmap = reader.bytes();
    const row: Row = {};
    for (const i of this.order) {
      const isNull = i >= count || (bitmap[i >> 3] ?? 0) & (1 << (i & 7));
      row[fields[i].name] = isNull ? null : decodeValue(typeOf(fields[i].name, fields[i].type), reader);
    }
    return row;
  }

  toProto(_context: ProtoContext): CoderProto {
    return { spec: { urn: ROW_CODER_URN, payload: Schema.toBinary(this.schema) }, componentCoderIds: [] };
  }
}

function typeOf(name: string, type: FieldType | undefined): FieldType {
  if (!type) throw new RowCodingError(`field ${name} has no type`);
  return type;
}

function nullBitmap(values: unknown[]): Uint8Array {
  if (!values.some((v) => v === null || v === undefined)) return new Uint8Array();
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null || v === undefined) bits[i >> 3] |= 1 << (i & 7);
  });
  return bits;
}

function encodeValue(type: FieldType, value: unknown, writer: Writer): void {
  const info = type.typeInfo;
  if (info.oneofKind === "atomicType") return encodeAtomic(info.atomicType, value, writer);
  if (info.oneofKind === "rowType") return new PortableRowCoder(info.rowType.schema ?? Schema.create()).encode(value as Row, writer);
  if (info.oneofKind === "arrayType" && info.arrayType.elementType) {
    const items = value as unknown[];
    writeRawBytes(bigEndian32(items.length), writer);
    for (const item of items) encodeValue(info.arrayType.elementType, item, writer);
    return;
  }
  if (info.oneofKind === "logicalType" && info.logicalType.urn === MILLIS_INSTANT_URN) {
    const millis = typeof value === "number" ? value : Date.parse(String(value));
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64BE(BigInt.asUintN(64, BigInt(millis) + SIGN_BIT));
    return writeRawBytes(bytes, writer);
  }
  if (info.oneofKind === "logicalType" && info.logicalType.urn === DATE_URN) {
    writer.int64(typeof value === "number" ? value : Date.parse(`${String(value)}T00:00:00Z`) / DAY_MS);
    return;
  }
  throw new RowCodingError(`cannot encode a field of type ${type.typeInfo.oneofKind}`);
}

function encodeAtomic(atomic: AtomicType, value: unknown, writer: Writer): void {
  switch (atomic) {
    case AtomicType.STRING:
      writer.string(String(value));
      return;
    case AtomicType.INT64:
      writer.int64(Number(value));
      return;
    case AtomicType.BOOLEAN:
      writer.bool(Boolean(value));
      return;
    case AtomicType.BYTES:
      writer.bytes(value instanceof Uint8Array ? value : Buffer.from(String(value), "base64"));
      return;
    case AtomicType.DOUBLE: {
      const bytes = Buffer.alloc(8);
      bytes.writeDoubleBE(Number(value));
      return writeRawBytes(bytes, writer);
    }
  }
  throw new RowCodingError(`cannot encode atomic type ${AtomicType[atomic]}`);
}

function decodeValue(type: FieldType, reader: Reader): unknown {
  const info = type.typeInfo;
  if (info.oneofKind === "atomicType") return decodeAtomic(info.atomicType, reader);
  if (info.oneofKind === "rowType") return new PortableRowCoder(info.rowType.schema ?? Schema.create()).decode(reader);
  if (info.oneofKind === "arrayType" && info.arrayType.elementType) {
    const count = readRaw(reader, 4).readInt32BE(0);
    const element = info.arrayType.elementType;
    return Array.from({ length: count }, () => decodeValue(element, reader));
  }
  if (info.oneofKind === "logicalType" && info.logicalType.urn === MILLIS_INSTANT_URN) {
    const millis = BigInt.asIntN(64, readRaw(reader, 8).readBigUInt64BE(0) - SIGN_BIT);
    return new Date(Number(millis)).toISOString();
  }
  if (info.oneofKind === "logicalType" && info.logicalType.urn === DATE_URN) {
    return new Date(toNumber(reader.int64()) * DAY_MS).toISOString().slice(0, 10);
  }
  throw new RowCodingError(`cannot decode a field of type ${type.typeInfo.oneofKind}`);
}

function decodeAtomic(atomic: AtomicType, reader: Reader): unknown {
  switch (atomic) {
    case AtomicType.STRING:
      return reader.string();
    case AtomicType.INT64:
      return toNumber(reader.int64());
    case AtomicType.BOOLEAN:
      return reader.bool();
    case AtomicType.BYTES:
      return Buffer.from(reader.bytes()).toString("base64");
    case AtomicType.DOUBLE:
      return readRaw(reader, 8).readDoubleBE(0);
  }
  throw new RowCodingError(`cannot decode atomic type ${AtomicType[atomic]}`);
}

function readRaw(reader: Reader, length: number): Buffer {
  const bytes = Buffer.from(reader.buf.subarray(reader.pos, reader.pos + length));
  reader.pos += length;
  return bytes;
}

/** protobufjs reads int64 as a Long (or a number when Long is absent). */
function toNumber(value: number | { toString(): string }): number {
  return typeof value === "number" ? value : Number(value.toString());
}

function bigEndian32(n: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(n);
  return bytes;
}

/** Replaces the SDK's RowCoder for every row coder built from a graph, here and on the workers (which import this). */
globalRegistry().registerConstructor(ROW_CODER_URN, (schema: unknown) => new PortableRowCoder(schema as Uint8Array));

requireForSerialization("rox-gcp/pipelines/dataflow/row-coder", { PortableRowCoder });
