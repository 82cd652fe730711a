/**
 * Field specs from an Avro record's JSON. We walk the raw JSON rather than avsc's parsed Type because avsc drops
 * custom attributes and (without registered implementations) logical types; avsc has already checked the schema,
 * so this walk only has to understand it, not police it.
 */
import type { FieldConstraints, FieldSpec, ScalarKind } from "./contract";
import { checkConstraintsFit, checkSiblingReferences, readConstraints } from "./constraint-attributes";
import { invalidAttribute } from "./constraint-attributes";
import { caseInsensitiveDuplicate, EVENT_METADATA_COLUMNS, reservedColumnProblem } from "./reserved-names";
import { SchemaError } from "./schema-error";

type Json = Record<string, unknown>;
type Shape = Pick<FieldSpec, "kind" | "timestampUnit" | "decimal"> & { symbols?: string[] };

/** Named types defined so far: Avro lets a later field reuse a record, enum or fixed by name. */
interface Scope {
  named: Map<string, Json>;
  /** Records being expanded, to refuse recursive types (they have no table shape). */
  expanding: Set<string>;
  source: string;
}

const PRIMITIVES: Record<string, ScalarKind> = {
  string: "string",
  int: "int",
  long: "long",
  float: "float",
  double: "double",
  boolean: "boolean",
  bytes: "bytes",
};

/** The specs of a (validated-by-avsc) root record's fields; `source` prefixes error messages. */
export function rootFieldSpecs(record: Json, source: string): FieldSpec[] {
  return recordFieldSpecs(record, { named: new Map(), expanding: new Set(), source }, "");
}

function recordFieldSpecs(record: Json, scope: Scope, prefix: string): FieldSpec[] {
  const name = registerNamed(record, scope);
  if (scope.expanding.has(name)) throw unsupported(scope, prefix, `recursive record ${name}`);
  scope.expanding.add(name);
  checkFieldNames(record.fields as Json[], scope, prefix);
  const specs = (record.fields as Json[]).map((field) => {
    const path = prefix ? `${prefix}.${String(field.name)}` : String(field.name);
    const spec = valueSpec(String(field.name), path, field.type, readConstraints(field, path, scope.source), scope);
    const doc = typeof field.doc === "string" ? { doc: field.doc } : {};
    return "default" in field ? { ...spec, ...doc, default: field.default } : { ...spec, ...doc };
  });
  scope.expanding.delete(name);
  checkSiblingReferences(specs, scope.source);
  return specs;
}

/** Each name must make a column: not reserved, not a repeat when case is ignored, not a metadata column at the top. */
function checkFieldNames(fields: Json[], scope: Scope, prefix: string): void {
  const names = fields.map((field) => String(field.name));
  for (const name of names) {
    const path = prefix ? `${prefix}.${name}` : name;
    const metadata = prefix === "" && EVENT_METADATA_COLUMNS.includes(name.toLowerCase());
    const taken = metadata ? `"${name}" is a metadata column of every events table` : undefined;
    const reserved = reservedColumnProblem(name) ?? taken;
    if (reserved) throw invalidAttribute(scope.source, path, `field name ${reserved}`);
  }
  const repeated = caseInsensitiveDuplicate(names);
  if (repeated) {
    const why = `field name "${repeated}" repeats another field's name but for case (BigQuery and DuckDB ignore case)`;
    throw invalidAttribute(scope.source, prefix ? `${prefix}.${repeated}` : repeated, why);
  }
}

function valueSpec(name: string, path: string, type: unknown, constraints: FieldConstraints, scope: Scope): FieldSpec {
  const { inner, nullable } = unwrapNullable(type, path, scope);
  const spec: FieldSpec = { name, path, nullable, ...shapeOf(resolveNamed(inner, scope), path, constraints, scope) };
  checkConstraintsFit(spec, scope.source);
  return spec;
}

type ShapeAndConstraints = Omit<FieldSpec, "name" | "path" | "nullable">;

// Constraints on an array field apply to its elements: `"rox.pattern"` on an array of strings checks each string.
function shapeOf(json: Json, path: string, constraints: FieldConstraints, scope: Scope): ShapeAndConstraints {
  if (json.type === "array") {
    return { kind: "array", constraints: {}, items: valueSpec("items", `${path}[]`, json.items, constraints, scope) };
  }
  if (json.type === "record" || json.type === "error") {
    return { kind: "record", constraints, fields: recordFieldSpecs(json, scope, path) };
  }
  const { symbols, ...shape } = scalarShape(json, path, scope);
  return { ...shape, constraints: symbols && !constraints.oneOf ? { ...constraints, oneOf: symbols } : constraints };
}

function unwrapNullable(type: unknown, path: string, scope: Scope): { inner: unknown; nullable: boolean } {
  if (!Array.isArray(type)) return { inner: type, nullable: false };
  const others = type.filter((branch) => branch !== "null");
  if (others.length !== 1) throw unsupported(scope, path, 'unions other than ["null", T]');
  return { inner: others[0], nullable: others.length < type.length };
}

/** The JSON object of a type: primitives become `{type}`, names are looked up, named definitions recorded. */
function resolveNamed(type: unknown, scope: Scope): Json {
  if (typeof type === "string") {
    if (isPrimitive(type) || type === "null") return { type };
    const short = type.slice(type.lastIndexOf(".") + 1);
    return scope.named.get(type) ?? scope.named.get(short) ?? { type };
  }
  const json = type as Json;
  if (json.type === "enum" || json.type === "fixed") registerNamed(json, scope);
  return json;
}

function registerNamed(json: Json, scope: Scope): string {
  const name = String(json.name);
  const full = name.includes(".") || typeof json.namespace !== "string" ? name : `${json.namespace}.${name}`;
  scope.named.set(full, json);
  scope.named.set(name.slice(name.lastIndexOf(".") + 1), json);
  return full;
}

function scalarShape(json: Json, path: string, scope: Scope): Shape {
  const type = String(json.type);
  const logical = json.logicalType;
  if (logical === "timestamp-millis" || logical === "timestamp-micros") {
    return { kind: "timestamp", timestampUnit: logical === "timestamp-millis" ? "millis" : "micros" };
  }
  if (logical === "date" && type === "int") return { kind: "date" };
  if (logical === "decimal") return { kind: "decimal", decimal: decimalDigits(json, path, scope) };
  if (type === "enum") return { kind: "string", symbols: json.symbols as string[] };
  if (type === "fixed") return { kind: "bytes" };
  if (isPrimitive(type)) return { kind: PRIMITIVES[type] };
  throw unsupported(scope, path, `type ${type}`);
}

function decimalDigits(json: Json, path: string, scope: Scope): { precision: number; scale: number } {
  const precision = json.precision;
  const scale = json.scale ?? 0;
  const valid = Number.isInteger(precision) && Number.isInteger(scale);
  if (!valid || (precision as number) < 1 || (scale as number) < 0 || (scale as number) > (precision as number)) {
    throw new SchemaError("invalid_avro", `${scope.source}: ${path}: decimal needs 0 <= scale <= precision`);
  }
  return { precision: precision as number, scale: scale as number };
}

// Own keys only: a named type called "toString" must not find Object's.
function isPrimitive(type: string): boolean {
  return Object.hasOwn(PRIMITIVES, type);
}

function unsupported(scope: Scope, path: string, what: string): SchemaError {
  return new SchemaError("unsupported", `${scope.source}: ${path || "(root)"}: ${what} not supported`);
}
