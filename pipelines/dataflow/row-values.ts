import { writeRawBytes } from "apache-beam/coders/coders";
import { AtomicType, type FieldType } from "apache-beam/proto/schema";
import type { Reader, Writer } from "protobufjs";
import { DATE_URN, MILLIS_INSTANT_URN } from "./row-schema";

const DAY_MS = 86_400_000;
const SIGN_BIT = 1n << 63n;
const INTEGER_TEXT = /^-?\d+$/;

export class RowCodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RowCodingError";
  }
}

/** Codes a nested row of a ROW-typed field: the row coder hands itself in (this file knows values, not rows). */
export interface NestedRows {
  encode(type: FieldType, value: Record<string, unknown>, writer: Writer): void;
  decode(type: FieldType, reader: Reader): Record<string, unknown>;
}

/**
 * One non-null value in Java's encoding of its field type (values as BigQuery's JSON has them). Arrays are a 4-byte
 * big-endian count then the elements (Java's ListCoder); an absent array is BigQuery's empty REPEATED field.
 */
export function encodeValue(type: FieldType, value: unknown, writer: Writer, rows: NestedRows): void {
  const info = type.typeInfo;
  if (info.oneofKind === "atomicType") return encodeAtomic(info.atomicType, value, writer);
  if (info.oneofKind === "rowType") return rows.encode(type, value as Record<string, unknown>, writer);
  if (info.oneofKind === "arrayType" && info.arrayType.elementType) {
    const items = (value ?? []) as unknown[];
    const count = Buffer.alloc(4);
    count.writeInt32BE(items.length);
    writeRawBytes(count, writer);
    for (const item of items) {
      if (item === null || item === undefined)
        throw new RowCodingError("an array element is null (BigQuery arrays cannot hold nulls)");
      encodeValue(info.arrayType.elementType, item, writer, rows);
    }
    return;
  }
  if (info.oneofKind === "logicalType" && info.logicalType.urn === MILLIS_INSTANT_URN) {
    // Java's InstantCoder: epoch ms as 8 bytes big-endian with the sign bit flipped (so bytes sort as instants).
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64BE(BigInt.asUintN(64, BigInt(instantMs(value)) + SIGN_BIT));
    return writeRawBytes(bytes, writer);
  }
  if (info.oneofKind === "logicalType" && info.logicalType.urn === DATE_URN) return void writer.int64(epochDays(value));
  throw new RowCodingError(`cannot encode a field of type ${info.oneofKind}`);
}

export function decodeValue(type: FieldType, reader: Reader, rows: NestedRows): unknown {
  const info = type.typeInfo;
  if (info.oneofKind === "atomicType") return decodeAtomic(info.atomicType, reader);
  if (info.oneofKind === "rowType") return rows.decode(type, reader);
  if (info.oneofKind === "arrayType" && info.arrayType.elementType) {
    const count = readRaw(reader, 4).readInt32BE(0);
    const element = info.arrayType.elementType;
    return Array.from({ length: count }, () => decodeValue(element, reader, rows));
  }
  if (info.oneofKind === "logicalType" && info.logicalType.urn === MILLIS_INSTANT_URN) {
    const millis = BigInt.asIntN(64, readRaw(reader, 8).readBigUInt64BE(0) - SIGN_BIT);
    return new Date(Number(millis)).toISOString();
  }
  if (info.oneofKind === "logicalType" && info.logicalType.urn === DATE_URN) {
    return new Date(Number(readVarInt64(reader)) * DAY_MS).toISOString().slice(0, 10);
  }
  throw new RowCodingError(`cannot decode a field of type ${info.oneofKind}`);
}

function encodeAtomic(atomic: AtomicType, value: unknown, writer: Writer): void {
  switch (atomic) {
    case AtomicType.STRING:
      return void writer.string(String(value));
    case AtomicType.INT64:
      return writeInt64(value, writer);
    case AtomicType.BOOLEAN:
      return void writer.bool(Boolean(value));
    case AtomicType.BYTES:
      return void writer.bytes(value instanceof Uint8Array ? value : Buffer.from(String(value), "base64"));
    case AtomicType.DOUBLE: {
      const bytes = Buffer.alloc(8);
      bytes.writeDoubleBE(Number(value));
      return writeRawBytes(bytes, writer);
    }
  }
  throw new RowCodingError(`cannot encode atomic type ${AtomicType[atomic]}`);
}

function decodeAtomic(atomic: AtomicType, reader: Reader): unknown {
  switch (atomic) {
    case AtomicType.STRING:
      return reader.string();
    case AtomicType.INT64:
      return int64Value(readVarInt64(reader));
    case AtomicType.BOOLEAN:
      return reader.bool();
    case AtomicType.BYTES:
      return Buffer.from(reader.bytes()).toString("base64");
    case AtomicType.DOUBLE:
      return readRaw(reader, 8).readDoubleBE(0);
  }
  throw new RowCodingError(`cannot decode atomic type ${AtomicType[atomic]}`);
}

/**
 * INT64 as Java's VarLongCoder writes it (a varint of the two's complement): from an integer number, or exactly from
 * decimal text or a bigint, as BigQuery's JSON spells INT64 past 2^53.
 */
function writeInt64(value: unknown, writer: Writer): void {
  if (typeof value === "number" && Number.isSafeInteger(value)) return void writer.int64(value);
  const integral =
    typeof value === "bigint" ||
    (typeof value === "number" && Number.isInteger(value)) ||
    (typeof value === "string" && INTEGER_TEXT.test(value));
  const exact = integral ? BigInt(value) : undefined;
  if (exact === undefined || BigInt.asIntN(64, exact) !== exact)
    throw new RowCodingError(`INT64 value ${String(value)} is not a 64-bit integer`);
  let rest = BigInt.asUintN(64, exact);
  const bytes: number[] = [];
  for (; rest > 0x7fn; rest >>= 7n) bytes.push(Number(rest & 0x7fn) | 0x80);
  bytes.push(Number(rest));
  writeRawBytes(Uint8Array.from(bytes), writer);
}

function readVarInt64(reader: Reader): bigint {
  let value = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (reader.pos >= reader.len) throw new RowCodingError("row bytes end inside an INT64");
    const byte = reader.buf[reader.pos++];
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return BigInt.asIntN(64, value);
  }
}

/** A decoded INT64: a number when it is exact as one, else its decimal text (as BigQuery's JSON has it). */
function int64Value(value: bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}

function instantMs(value: unknown): number {
  const millis = typeof value === "number" ? value : Date.parse(String(value));
  if (!Number.isInteger(millis)) throw new RowCodingError(`TIMESTAMP value ${String(value)} is not an instant`);
  return millis;
}

function epochDays(value: unknown): number {
  const days = typeof value === "number" ? value : Date.parse(`${String(value)}T00:00:00Z`) / DAY_MS;
  if (!Number.isInteger(days)) throw new RowCodingError(`DATE value ${String(value)} is not a date`);
  return days;
}

function readRaw(reader: Reader, length: number): Buffer {
  if (reader.pos + length > reader.len)
    throw new RowCodingError(`row bytes end ${reader.pos + length - reader.len} bytes early`);
  const bytes = Buffer.from(reader.buf.subarray(reader.pos, reader.pos + length));
  reader.pos += length;
  return bytes;
}
