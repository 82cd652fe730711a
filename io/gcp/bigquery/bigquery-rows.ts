/**
 * Row conversions at the BigQuery boundary (pure): staged JSON-lines rows → what a BigQuery JSON load accepts, query
 * results → plain JSON values, and staged events → the fresh-events shape the window pass reads.
 */
import type { BigQueryField } from "../../../schemas/bigquery";
import type { Contract } from "../../../schemas/contract";

type Row = Record<string, unknown>;

const DAY_MS = 86_400_000;

/**
 * A staged row as a JSON load of `fields` takes it: only the table's columns; timestamps as ISO text (a load refuses
 * epoch numbers), dates as `YYYY-MM-DD`, bytes as base64; nested records and repeated fields converted alike.
 */
export function toLoadRow(fields: BigQueryField[], row: Row): Row {
  const out: Row = {};
  for (const field of fields) {
    // Own properties only: a column named "constructor" that the row lacks must not find Object's.
    const value = Object.hasOwn(row, field.name) ? row[field.name] : undefined;
    if (value !== undefined) out[field.name] = toLoadField(field, value);
  }
  return out;
}

/**
 * Whether `row` is already what `toLoadRow(fields, row)` makes of it (no column outside `fields`, no value it would
 * convert): such a row's staged JSON text is loaded as it is, without building and serialising a copy.
 */
export function isLoadRow(fields: BigQueryField[], row: Row): boolean {
  let known = 0;
  for (const field of fields) {
    if (!Object.hasOwn(row, field.name)) continue;
    known++;
    if (!isLoadField(field, row[field.name])) return false;
  }
  return known === Object.keys(row).length;
}

function isLoadField(field: BigQueryField, value: unknown): boolean {
  if (value === null) return true;
  if (field.mode === "REPEATED") return Array.isArray(value) && value.every((item) => isLoadValue(field, item));
  return isLoadValue(field, value);
}

function isLoadValue(field: BigQueryField, value: unknown): boolean {
  if (value === null) return true;
  switch (field.type) {
    case "TIMESTAMP":
    case "DATE":
    case "BYTES":
      return typeof value === "string";
    case "RECORD":
      return typeof value === "object" && !Array.isArray(value) && isLoadRow(field.fields ?? [], value as Row);
    default:
      return true;
  }
}

function toLoadField(field: BigQueryField, value: unknown): unknown {
  if (value === null) return null;
  if (field.mode === "REPEATED") return (value as unknown[]).map((item) => toLoadValue(field, item));
  return toLoadValue(field, value);
}

function toLoadValue(field: BigQueryField, value: unknown): unknown {
  if (value === null) return null;
  switch (field.type) {
    case "TIMESTAMP":
      return typeof value === "number" || value instanceof Date ? new Date(value).toISOString() : value;
    case "DATE":
      return typeof value === "number" ? new Date(value * DAY_MS).toISOString().slice(0, 10) : value;
    case "BYTES":
      return value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value; // staged text is base64 already
    case "RECORD":
      return toLoadRow(field.fields ?? [], value as Row);
    default:
      return value;
  }
}

/**
 * The staging table's fields: top-level BYTES are staged as their base64 STRING and decoded by `FROM_BASE64` in the
 * statement that copies them, because bqemulator 1.4.0 stores a loaded base64 string's text as the bytes.
 */
export function stagingFields(fields: BigQueryField[]): BigQueryField[] {
  return fields.map((field) => (field.type === "BYTES" ? { ...field, type: "STRING" } : field));
}

/** A query result value as plain JSON: the client's timestamp/date wrappers as their text, NUMERIC as text, bytes as base64. */
export function plainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString("base64");
  if (Array.isArray(value)) return value.map(plainValue);
  if (typeof value !== "object") return value;
  const wrapper = (value as { constructor?: { name?: string } }).constructor?.name;
  if (wrapper === "Big") return String(value);
  if (wrapper && wrapper.startsWith("BigQuery") && "value" in value) return (value as { value: unknown }).value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainValue(item)]));
}

export function plainRow(row: Row): Row {
  return plainValue(row) as Row;
}

/** A staged events row as the window pass reads fresh events: the contract's top-level timestamps as epoch ms. */
export function toFreshEvent(contract: Contract, row: Row): Row {
  const out = { ...row };
  for (const field of contract.fields) {
    const value = out[field.name];
    if (field.kind === "timestamp" && typeof value === "string") out[field.name] = Date.parse(value);
  }
  return out;
}
