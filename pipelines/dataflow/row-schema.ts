import { createHash } from "crypto";
import { AtomicType, type Field, type FieldType, type Schema } from "apache-beam/proto/schema";
import type { BigQueryField, BigQueryTableSchema } from "../../schemas/bigquery";

/** Java's DATETIME crosses languages as this logical type over INT64 (Java encodes it with its InstantCoder). */
export const MILLIS_INSTANT_URN = "beam:logical_type:millis_instant:v1";
/** Java's SqlTypes.DATE, which BigQueryUtils maps to and from BigQuery DATE: days since the epoch over INT64. */
export const DATE_URN = "beam:logical_type:date:v1";

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
      ? { nullable: false, typeInfo: { oneofKind: "arrayType", arrayType: { elementType: { ...element, nullable: false } } } }
      : { ...element, nullable: column.mode !== "REQUIRED" };
  return { name: column.name, description: "", type, id: index, encodingPosition: index, options: [] };
}

function elementType(column: BigQueryField): FieldType {
  const atomic = ATOMIC[column.type];
  if (atomic !== undefined) return { nullable: false, typeInfo: { oneofKind: "atomicType", atomicType: atomic } };
  if (column.type === "TIMESTAMP") return logical(MILLIS_INSTANT_URN);
  if (column.type === "DATE") return logical(DATE_URN);
  if (column.type === "RECORD") {
    const schema = beamRowSchema({ fields: column.fields ?? [] });
    return { nullable: false, typeInfo: { oneofKind: "rowType", rowType: { schema } } };
  }
  throw new UnsupportedColumnError(column.name, column.type);
}

function logical(urn: string): FieldType {
  const representation: FieldType = { nullable: false, typeInfo: { oneofKind: "atomicType", atomicType: AtomicType.INT64 } };
  return { nullable: false, typeInfo: { oneofKind: "logicalType", logicalType: { urn, payload: new Uint8Array(), representation } } };
}

function uuidOf(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
