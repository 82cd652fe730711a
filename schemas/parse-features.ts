/** The `rox.features` record attribute: per-event feature columns and keyed window aggregates. */
import type { FeatureColumn, FeatureSpec, FieldSpec, ScalarKind, WindowFeatureSpec } from "./contract";
import { invalidAttribute } from "./constraint-attributes";
import { didYouMean } from "./nearest-name";
import { caseInsensitiveDuplicate, EVENT_METADATA_COLUMNS } from "./reserved-names";
import { prototypeKeyProblem, reservedColumnProblem } from "./reserved-names";
import { parseDurationMs } from "./timestamps";

type Json = Record<string, unknown>;

const COLUMN_KINDS = new Set(["string", "int", "long", "float", "double", "boolean", "bytes", "timestamp", "date"]);
// Table column names: BigQuery and DuckDB both accept these unquoted.
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WINDOW_RESERVED = ["window_start", "window_end", "_updated_at"];
// A window's size: whole seconds, at most a leap year (a window's end must stay a date).
const MAX_WINDOW_MS = 366 * 86_400_000;
const MODULE_NAME = /^[a-z][a-z0-9_-]*$/;

/** Parses `rox.features`; throws SchemaError naming the bad part. `fields` are the record's top-level fields. */
export function parseFeatures(value: unknown, fields: FieldSpec[], source: string): FeatureSpec {
  const json = objectAt(value, "rox.features", ["module", "event", "windows"], source);
  // The name a module is registered by in transforms/features (looked up there, own keys only).
  const module = typeof json.module === "string" && MODULE_NAME.test(json.module) ? json.module : undefined;
  if (!module) throw bad(source, "rox.features.module", json.module);
  const taken = [...fields.map((f) => f.name), ...EVENT_METADATA_COLUMNS];
  const event = listAt(json.event, "rox.features.event", source).map((c, i) =>
    parseColumn(c, `rox.features.event[${i}]`, taken, source),
  );
  const windows = listAt(json.windows, "rox.features.windows", source).map((w, i) =>
    parseWindow(w, `rox.features.windows[${i}]`, fields, source),
  );
  const repeated = caseInsensitiveDuplicate(windows.map((w) => w.name));
  if (repeated) {
    throw invalidAttribute(source, "rox.features.windows", `two windows are named ${repeated} (each names a table)`);
  }
  return { module, event, windows };
}

function parseWindow(value: unknown, where: string, fields: FieldSpec[], source: string): WindowFeatureSpec {
  const json = objectAt(value, where, ["name", "key", "size", "columns", "doc"], source);
  const name = typeof json.name === "string" && COLUMN_NAME.test(json.name) ? json.name : undefined;
  if (!name) throw bad(source, `${where}.name`, json.name);
  const unusable = prototypeKeyProblem(name);
  if (unusable) throw invalidAttribute(source, `${where}.name`, unusable);
  const key = fields.find((f) => f.name === json.key && f.kind !== "record" && f.kind !== "array");
  if (!key) {
    throw invalidAttribute(source, `${where}.key`, `${JSON.stringify(json.key)} is not a top-level scalar field`);
  }
  const sizeMs = typeof json.size === "string" ? parseDurationMs(json.size) : undefined;
  if (!sizeMs || sizeMs % 1000 !== 0 || sizeMs > MAX_WINDOW_MS) throw bad(source, `${where}.size`, json.size);
  const taken = [key.name, ...WINDOW_RESERVED];
  const columns = listAt(json.columns, `${where}.columns`, source).map((c, i) =>
    parseColumn(c, `${where}.columns[${i}]`, taken, source),
  );
  return { name, key: key.name, sizeSeconds: sizeMs / 1000, columns, ...docOf(json, where, source) };
}

/** One feature column; its name must be new among `taken`, which it then joins. */
function parseColumn(value: unknown, where: string, taken: string[], source: string): FeatureColumn {
  const json = objectAt(value, where, ["name", "type", "doc"], source);
  const name = typeof json.name === "string" && COLUMN_NAME.test(json.name) ? json.name : undefined;
  if (!name) throw bad(source, `${where}.name`, json.name);
  const reserved = reservedColumnProblem(name);
  if (reserved) throw invalidAttribute(source, `${where}.name`, reserved);
  if (caseInsensitiveDuplicate([...taken, name])) {
    throw invalidAttribute(source, where, `column ${name} clashes with another column`);
  }
  taken.push(name);
  if (typeof json.type !== "string" || !COLUMN_KINDS.has(json.type)) throw bad(source, `${where}.type`, json.type);
  return { name, kind: json.type as ScalarKind, ...docOf(json, where, source) };
}

function docOf(json: Json, where: string, source: string): { doc?: string } {
  if (json.doc === undefined) return {};
  if (typeof json.doc !== "string") throw bad(source, `${where}.doc`, json.doc);
  return { doc: json.doc };
}

function objectAt(value: unknown, where: string, allowed: string[], source: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad(source, where, value);
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown) throw invalidAttribute(source, where, `unknown key ${unknown}${didYouMean(unknown, allowed)}`);
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
