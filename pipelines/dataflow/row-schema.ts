import { createHash } from "crypto";
import { AtomicType, type Field, type FieldType, type FieldValue, type Schema } from "apache-beam/proto/schema";
import type { BigQueryField, BigQueryTableSchema } from "../../schemas/bigquery";

/** Java's DATETIME crosses languages as this logical type over INT64 (Java encodes it with its InstantCoder). */
export const MILLIS_INSTANT_URN = "beam:logical_type:millis_instant:v1";
/** Java's SqlTypes.DATE, which BigQueryUtils maps to and from BigQuery DATE: days since the epoch over INT64. */
export const DATE_URN = "beam:logical_type:date:v1";
/**
 * Java 2.49.0 does not know `beam:logical_type:date:v1` by its URN: without a payload it reads an UnknownLogicalType
 * of Longs, which the Storage Write's row conversion casts to LocalDate (`ClassCastException: class java.lang.Long
 * cannot be cast to class java.time.LocalDate`, on every row). So we send what Java's own `schemaToProto` sends for
 * SqlTypes.DATE: the Snappy-framed Java serialization of `org.apache.beam.sdk.schemas.logicaltypes.Date` (no fields;
 * the bytes name the class and its serialVersionUID) with an empty STRING argument. Proven by
 * test/dataflow/row-coder-java.test.ts, which has Java read it back as SqlTypes.DATE.
 */
const JAVA_DATE_PAYLOAD = Buffer.from(
  "82534e415050590000000001000000010000004542f041aced00057372002d6f72672e6170616368652e6265616d2e73646b2e736368656d61" +
    "732e6c6f676963616c74797065732e44617465e40a676bcd8e7afa0200007870",
  "hex",
);

export class UnsupportedColumnError extends Error {
  constructor(column: string, type: string) {
    super(`column ${column}: BigQuery ${type} has no Beam row type on the Dataflow path yet`);
    this.name = "UnsupportedColumnError";
  }
}

const ATOMIC: Record<string, AtomicType> = {
  STRING: AtomicType.STRING,
  INT64: AtomicType.INT64,
  FLOAT64: AtomicType.DOUBLE,
  BOOL: AtomicType.BOOLEAN,
  BYTES: AtomicType.BYTES,
};

/**
 * The Beam schema of a BigQuery table's rows, typed as Java's BigQueryUtils maps BigQuery types, so the Storage Write
 * schema transform finds the rows assignable to the table. The id is a UUID derived from the fields (Java parses it
 * as a UUID), so the same table gives the same schema in every graph.
 */
export function beamRowSchema(table: BigQueryTableSchema): Schema {
  const fields = table.fields.map(beamField);
  return { id: uuidOf(JSON.stringify(table.fields)), fields, options: [], encodingPositionsSet: false };
}

function beamField(column: BigQueryField, index: number): Field {
  const element = elementType(column);
  const type: FieldType =
    column.mode === "REPEATED"
      ? {
          nullable: false,
          typeInfo: { oneofKind: "arrayType", arrayType: { elementType: { ...element, nullable: false } } },
        }
      : { ...element, nullable: column.mode !== "REQUIRED" };
  return { name: column.name, description: "", type, id: index, encodingPosition: index, options: [] };
}

function elementType(column: BigQueryField): FieldType {
  const atomic = ATOMIC[column.type];
  if (atomic !== undefined) return scalar(atomic);
  if (column.type === "TIMESTAMP") return logical(MILLIS_INSTANT_URN);
  if (column.type === "DATE") return javaDate();
  if (column.type === "RECORD") {
    const schema = beamRowSchema({ fields: column.fields ?? [] });
    return { nullable: false, typeInfo: { oneofKind: "rowType", rowType: { schema } } };
  }
  throw new UnsupportedColumnError(column.name, column.type);
}

function logical(urn: string): FieldType {
  const representation = scalar(AtomicType.INT64);
  return {
    nullable: false,
    typeInfo: { oneofKind: "logicalType", logicalType: { urn, payload: new Uint8Array(), representation } },
  };
}

function javaDate(): FieldType {
  const argument: FieldValue = {
    fieldValue: { oneofKind: "atomicValue", atomicValue: { value: { oneofKind: "string", string: "" } } },
  };
  const logicalType = {
    urn: DATE_URN,
    payload: new Uint8Array(JAVA_DATE_PAYLOAD),
    representation: scalar(AtomicType.INT64),
    argumentType: scalar(AtomicType.STRING),
    argument,
  };
  return { nullable: false, typeInfo: { oneofKind: "logicalType", logicalType } };
}

function scalar(atomicType: AtomicType): FieldType {
  return { nullable: false, typeInfo: { oneofKind: "atomicType", atomicType } };
}

function uuidOf(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
