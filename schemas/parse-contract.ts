/** A Contract from schema JSON: avsc checks the Avro, then the record-level `rox.*` attributes are read and checked. */
import * as avro from "avsc";
import type { Contract, FieldSpec } from "./contract";
import { invalidAttribute } from "./constraint-attributes";
import { didYouMean } from "./nearest-name";
import { parseFeatures } from "./parse-features";
import { rootFieldSpecs } from "./parse-fields";
import { reservedTableProblem } from "./reserved-names";
import { SchemaError } from "./schema-error";
import { windowTableName } from "./tables";

type Json = Record<string, unknown>;

const RECORD_ATTRIBUTES = ["rox.id", "rox.eventTime", "rox.table", "rox.version", "rox.clustering", "rox.features"];
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ID_KINDS = new Set(["string", "int", "long"]);
// BigQuery clusters by at most four top-level columns.
const MAX_CLUSTERING = 4;

/**
 * The contract of schema `name` (the file stem). Pure: no fs. Throws SchemaError; `source` (the file path, or
 * the name) starts every message so the user knows which file to fix.
 */
export function parseContract(name: string, json: unknown, source: string = name): Contract {
  const avroType = parseAvro(json, source);
  const schema = json as Json;
  if (schema.type !== "record") throw new SchemaError("unsupported", `${source}: the root type must be a record`);
  checkRecordAttributes(schema, source);
  const fields = rootFieldSpecs(schema, source);
  const declared = schema["rox.features"];
  const features = declared === undefined ? {} : { features: parseFeatures(declared, fields, source) };
  const table = readTable(schema["rox.table"], name, source);
  checkWindowTables(table, features.features?.windows ?? [], source);
  return {
    name,
    avroName: (avroType as avro.Type).name ?? String(schema.name),
    version: readVersion(schema["rox.version"], source),
    table,
    idField: topLevelField(fields, schema["rox.id"], "rox.id", ID_KINDS, source),
    eventTimeField: topLevelField(fields, schema["rox.eventTime"], "rox.eventTime", new Set(["timestamp"]), source),
    clustering: readClustering(schema["rox.clustering"], fields, source),
    fields,
    ...features,
    avroType,
    schemaJson: schema,
  };
}

function parseAvro(json: unknown, source: string): avro.Type {
  try {
    // A registry without a prototype: avsc looks names up in it, and "constructor" must not resolve to Object's.
    return avro.Type.forSchema(json as avro.Schema, { registry: Object.create(null) as Record<string, avro.Type> });
  } catch (cause) {
    throw new SchemaError("invalid_avro", `${source}: invalid Avro schema: ${(cause as Error).message}`, { cause });
  }
}

function checkRecordAttributes(schema: Json, source: string): void {
  const unknown = Object.keys(schema).find((key) => key.startsWith("rox.") && !RECORD_ATTRIBUTES.includes(key));
  if (unknown) {
    const hint = didYouMean(unknown, RECORD_ATTRIBUTES, (n) => n);
    throw invalidAttribute(source, "(record)", `unknown attribute ${unknown}${hint}`);
  }
}

/** The id and event time must be top-level, non-null and of a usable kind: every row is keyed/partitioned by them. */
function topLevelField(fields: FieldSpec[], value: unknown, attribute: string, kinds: Set<string>, source: string) {
  const field = fields.find((f) => f.name === value);
  if (!field) {
    throw invalidAttribute(source, "(record)", `${attribute} ${JSON.stringify(value)} is not a field of the record`);
  }
  if (field.nullable || !kinds.has(field.kind)) {
    const expected = [...kinds].join("/");
    throw invalidAttribute(source, "(record)", `${attribute} field ${field.name} must be a non-null ${expected}`);
  }
  return field.name;
}

function readVersion(value: unknown, source: string): number {
  if (value === undefined) return 1;
  if (Number.isInteger(value) && (value as number) >= 1) return value as number;
  throw invalidAttribute(source, "(record)", `rox.version must be a positive integer, got ${JSON.stringify(value)}`);
}

// The default table name is the schema name with characters a table name cannot hold replaced.
function readTable(value: unknown, name: string, source: string): string {
  const table = value === undefined ? name.replace(/[^A-Za-z0-9_]/g, "_") : value;
  if (typeof table !== "string" || !TABLE_NAME.test(table)) {
    throw invalidAttribute(source, "(record)", `rox.table ${JSON.stringify(value)} is not a valid table name`);
  }
  const reserved = reservedTableProblem(table);
  const what = value === undefined ? "the table (the schema name)" : "rox.table";
  if (reserved) throw invalidAttribute(source, "(record)", `${what} ${reserved}`);
  return table;
}

/** Each window writes `<table>_<window>`: that name must be free too (`dead` + `letters` would be dead_letters). */
function checkWindowTables(table: string, windows: { name: string }[], source: string): void {
  for (const [index, window] of windows.entries()) {
    const reserved = reservedTableProblem(windowTableName({ table }, window));
    if (reserved) throw invalidAttribute(source, `rox.features.windows[${index}].name`, `its table ${reserved}`);
  }
}

function readClustering(value: unknown, fields: FieldSpec[], source: string): string[] {
  if (value === undefined) return [];
  const names = Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
  if (!names || names.length > MAX_CLUSTERING || new Set(names).size !== names.length) {
    throw invalidAttribute(source, "(record)", `rox.clustering must be up to ${MAX_CLUSTERING} different field names`);
  }
  for (const name of value as string[]) {
    const field = fields.find((f) => f.name === name);
    if (!field || field.kind === "record" || field.kind === "array") {
      throw invalidAttribute(source, "(record)", `rox.clustering names ${name}, which is not a top-level scalar field`);
    }
  }
  return value as string[];
}
