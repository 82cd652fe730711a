/** The `rox.features` record attribute: per-event feature columns and keyed window aggregates. */
import type { FeatureColumn, FeatureSpec, FieldSpec, ScalarKind, WindowFeatureSpec } from "./contract";
import { invalidAttribute } from "./constraint-attributes";
import { parseDurationMs } from "./timestamps";

type Json = Record<string, unknown>;

const COLUMN_KINDS = new Set(["string", "int", "long", "float", "double", "boolean", "bytes", "timestamp", "date"]);
// Table column names: BigQuery and DuckDB both accept these unquoted.
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WINDOW_RESERVED = ["window_start", "window_end", "_updated_at"];
const EVENT_RESERVED = ["_source", "_run_id", "_ingested_at"];

/** Parses `rox.features`; throws SchemaError naming the bad part. `fields` are the record's top-level fields. */
export function parseFeatures(value: unknown, fields: FieldSpec[], source: string): FeatureSpec {
  const json = objectAt(value, "rox.features", ["module", "event", "windows"], source);
  if (typeof json.module !== "string" || !json.module) throw bad(source, "rox.features.module", json.module);
  const taken = [...fields.map((f) => f.name), ...EVENT_RESERVED];
  const event = listAt(json.event, "rox.features.event", source).map((c, i) =>
    parseColumn(c, `rox.features.event[${i}]`, taken, source),
  );
  const windows = listAt(json.windows, "rox.features.windows", source).map((w, i) =>
    parseWindow(w, `rox.features.windows[${i}]`, fields, source),
  );
  return { module: json.module, event, windows };
}

function parseWindow(value: unknown, where: string, fields: FieldSpec[], source: string): WindowFeatureSpec {
  const json = objectAt(value, where, ["name", "key", "size", "columns", "doc"], source);
  const name = typeof json.name === "string" && COLUMN_NAME.test(json.name) ? json.name : undefined;
  if (!name) throw bad(source, `${where}.name`, json.name);
  const key = fields.find((f) => f.name === json.key && f.kind !== "record" && f.kind !== "array");
  if (!key) {
    throw invalidAttribute(source, `${where}.key`, `${JSON.stringify(json.key)} is not a top-level scalar field`);
  }
  const sizeMs = typeof json.size === "string" ? parseDurationMs(json.size) : undefined;
  if (!sizeMs || sizeMs % 1000 !== 0) throw bad(source, `${where}.size`, json.size);
  const taken = [key.name, ...WINDOW_RESERVED];
  const columns = listAt(json.columns, `${where}.columns`, source).map((c, i) =>
    parseColumn(c, `${where}.columns[${i}]`, taken, source),
  );
  const doc = typeof json.doc === "string" ? { doc: json.doc } : {};
  return { name, key: key.name, sizeSeconds: sizeMs / 1000, columns, ...doc };
}

/** One feature column; its name must be new among `taken`, which it then joins. */
function parseColumn(value: unknown, where: string, taken: string[], source: string): FeatureColumn {
  const json = objectAt(value, where, ["name", "type", "doc"], source);
  const name = typeof json.name === "string" && COLUMN_NAME.test(json.name) ? json.name : undefined;
  if (!name) throw bad(source, `${where}.name`, json.name);
  if (taken.includes(name)) throw invalidAttribute(source, where, `column ${name} clashes with another column`);
  taken.push(name);
  if (typeof json.type !== "string" || !COLUMN_KINDS.has(json.type)) throw bad(source, `${where}.type`, json.type);
  const doc = typeof json.doc === "string" ? { doc: json.doc } : {};
  return { name, kind: json.type as ScalarKind, ...doc };
}

function objectAt(value: unknown, where: string, allowed: string[], source: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad(source, where, value);
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown) throw invalidAttribute(source, where, `unknown key ${unknown}`);
  return value as Json;
}

function listAt(value: unknown, where: string, source: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad(source, where, value);
  return value;
}

function bad(source: string, where: string, value: unknown) {
  return invalidAttribute(source, where, `bad value ${JSON.stringify(value)}`);
}
