import { requireForSerialization } from "apache-beam/serialization";
import { globalRegistry, type Coder, type Context, type ProtoContext } from "apache-beam/coders/coders";
import { Schema, type FieldType } from "apache-beam/proto/schema";
import type { Coder as CoderProto } from "apache-beam/proto/beam_runner_api";
import type { Reader, Writer } from "protobufjs";
import { decodeValue, encodeValue, RowCodingError, type NestedRows } from "./row-values";

export { RowCodingError } from "./row-values";
export const ROW_CODER_URN = "beam:coder:row:v1";
type Row = Record<string, unknown>;

/**
 * `beam:coder:row:v1` for the rows that cross to Java, with values as BigQuery's JSON has them (TIMESTAMP an ISO
 * string, DATE `YYYY-MM-DD`, BYTES base64, INT64 a number or, past 2^53, decimal text). The SDK's own RowCoder
 * (2.49.0) throws on DOUBLE and FLOAT and misorders fields of schemas with encoding positions past 10 (it sorts
 * positions as strings); Java encodes DATETIME with its InstantCoder (8 bytes, big-endian, sign bit flipped), not as
 * the varint its portable INT64 representation suggests. Byte-for-byte equal to Java's RowCoder
 * (test/dataflow/row-coder-java.test.ts).
 */
export class PortableRowCoder implements Coder<Row> {
  readonly schema: Schema;
  private readonly order: number[];

  constructor(schema: Schema | Uint8Array) {
    this.schema = schema instanceof Uint8Array ? Schema.fromBinary(schema) : schema;
    const fields = this.schema.fields;
    this.order = fields.map((_, i) => i);
    if (this.schema.encodingPositionsSet)
      this.order.sort((a, b) => fields[a].encodingPosition - fields[b].encodingPosition);
  }

  encode(row: Row, writer: Writer, _context?: Context): void {
    const fields = this.schema.fields;
    // Own properties only: a column named "toString" that the row lacks is null, not Object's function.
    const values = fields.map((f) => (Object.hasOwn(row, f.name) ? row[f.name] : undefined));
    writer.uint32(fields.length);
    writer.bytes(nullBitmap(fields.map((f, i) => isAbsent(values[i]) && !isArray(typeOf(f.name, f.type)))));
    for (const i of this.order) {
      const type = typeOf(fields[i].name, fields[i].type);
      if (!isAbsent(values[i]) || isArray(type)) encodeValue(type, values[i], writer, nestedRows);
      else if (!type.nullable) throw new RowCodingError(`field ${fields[i].name} is required but has no value`);
    }
  }

  decode(reader: Reader, _context?: Context): Row {
    const fields = this.schema.fields;
    const count = reader.uint32();
    const bitmap = reader.bytes();
    const row: Row = {};
    for (const i of this.order) {
      const isNull = i >= count || (bitmap[i >> 3] ?? 0) & (1 << (i & 7));
      row[fields[i].name] = isNull ? null : decodeValue(typeOf(fields[i].name, fields[i].type), reader, nestedRows);
    }
    return row;
  }

  toProto(_context: ProtoContext): CoderProto {
    return { spec: { urn: ROW_CODER_URN, payload: Schema.toBinary(this.schema) }, componentCoderIds: [] };
  }
}

/** Nested rows are coded by a coder of their own schema, built once per schema. */
const nestedCoders = new WeakMap<FieldType, PortableRowCoder>();
const nestedRows: NestedRows = {
  encode: (type, value, writer) => nestedCoder(type).encode(value, writer),
  decode: (type, reader) => nestedCoder(type).decode(reader),
};

function nestedCoder(type: FieldType): PortableRowCoder {
  let coder = nestedCoders.get(type);
  if (!coder) {
    const schema = type.typeInfo.oneofKind === "rowType" ? type.typeInfo.rowType.schema : undefined;
    nestedCoders.set(type, (coder = new PortableRowCoder(schema ?? Schema.create())));
  }
  return coder;
}

function typeOf(name: string, type: FieldType | undefined): FieldType {
  if (!type) throw new RowCodingError(`field ${name} has no type`);
  return type;
}

function isAbsent(value: unknown): boolean {
  return value === null || value === undefined;
}

/** BigQuery has no null arrays: an absent REPEATED field is an empty one (its Beam field is not nullable). */
function isArray(type: FieldType): boolean {
  return type.typeInfo.oneofKind === "arrayType" && !type.nullable;
}

/** Java's BitSetCoder: the null fields' bits, little-endian, without trailing zero bytes (empty when none is null). */
function nullBitmap(nulls: boolean[]): Uint8Array {
  const last = nulls.lastIndexOf(true);
  const bits = new Uint8Array(last < 0 ? 0 : (last >> 3) + 1);
  nulls.forEach((isNull, i) => {
    if (isNull) bits[i >> 3] |= 1 << (i & 7);
  });
  return bits;
}

/** Replaces the SDK's RowCoder for every row coder built from a graph, here and on the workers (which import this). */
globalRegistry().registerConstructor(ROW_CODER_URN, (schema: unknown) => new PortableRowCoder(schema as Uint8Array));

requireForSerialization("rox-gcp/pipelines/dataflow/row-coder", { PortableRowCoder });
