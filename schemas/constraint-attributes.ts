/**
 * Reading the field-level `rox.*` attributes (constraints) of a schema, and rejecting the ones that cannot work:
 * a typo'd attribute or a pattern on an int would otherwise pass every record silently.
 */
import type { FieldConstraints, FieldSpec } from "./contract";
import { didYouMean } from "./nearest-name";
import { SchemaError } from "./schema-error";
import { resolveDateBound, resolveInstantBound } from "./timestamps";

type Json = Record<string, unknown>;
type Reader = (value: unknown) => FieldConstraints[keyof FieldConstraints] | undefined;

const READERS: Record<string, [keyof FieldConstraints, Reader]> = {
  "rox.minLength": ["minLength", readLength],
  "rox.maxLength": ["maxLength", readLength],
  "rox.pattern": ["pattern", readPattern],
  "rox.min": ["min", readBound],
  "rox.max": ["max", readBound],
  "rox.notEqual": ["notEqual", (v) => (typeof v === "string" && v ? v : undefined)],
  "rox.oneOf": ["oneOf", readStrings],
};
const NUMERIC_KINDS = new Set(["int", "long", "float", "double", "decimal"]);

/** The constraints declared on one field; throws SchemaError for an unknown `rox.*` key or an unusable value. */
export function readConstraints(field: Json, path: string, source: string): FieldConstraints {
  const constraints: FieldConstraints = {};
  for (const [key, value] of Object.entries(field)) {
    if (!key.startsWith("rox.")) continue;
    if (!Object.hasOwn(READERS, key)) {
      const hint = didYouMean(key, Object.keys(READERS), (n) => n);
      throw invalidAttribute(source, path, `unknown attribute ${key}${hint}`);
    }
    const reader = READERS[key];
    const parsed = reader[1](value);
    if (parsed === undefined) throw invalidAttribute(source, path, `bad value for ${key}: ${JSON.stringify(value)}`);
    Object.assign(constraints, { [reader[0]]: parsed });
  }
  return constraints;
}

/** Rejects constraints that do not apply to the field's kind (e.g. `rox.pattern` on an int). */
export function checkConstraintsFit(spec: FieldSpec, source: string): void {
  const { minLength, maxLength, pattern, oneOf, min, max } = spec.constraints;
  const stringOnly = { minLength, maxLength, pattern, oneOf };
  for (const [name, value] of Object.entries(stringOnly)) {
    if (value !== undefined && spec.kind !== "string") {
      throw invalidAttribute(source, spec.path, `rox.${name} applies to strings, not ${spec.kind}`);
    }
  }
  if (minLength !== undefined && maxLength !== undefined && minLength > maxLength) {
    throw invalidAttribute(source, spec.path, "rox.minLength is greater than rox.maxLength");
  }
  for (const [name, bound] of Object.entries({ min, max })) {
    if (bound !== undefined && !boundFits(spec.kind, bound)) {
      throw invalidAttribute(source, spec.path, `rox.${name} ${JSON.stringify(bound)} does not fit a ${spec.kind}`);
    }
  }
}

/** `rox.notEqual` must name another field of the same record. */
export function checkSiblingReferences(siblings: FieldSpec[], source: string): void {
  const names = new Set(siblings.map((s) => s.name));
  for (const spec of siblings) {
    const other = spec.constraints.notEqual;
    if (other !== undefined && (other === spec.name || !names.has(other))) {
      throw invalidAttribute(source, spec.path, `rox.notEqual names "${other}", which is not another field here`);
    }
  }
}

export function invalidAttribute(source: string, path: string, message: string): SchemaError {
  return new SchemaError("invalid_attribute", `${source}: ${path}: ${message}`);
}

function boundFits(kind: FieldSpec["kind"], bound: number | string): boolean {
  if (NUMERIC_KINDS.has(kind)) return typeof bound === "number";
  if (kind === "timestamp") return resolveInstantBound(bound, 0) !== undefined;
  if (kind === "date") return resolveDateBound(bound, 0) !== undefined;
  return false;
}

function readLength(value: unknown): number | undefined {
  return Number.isInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

function readPattern(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    new RegExp(value);
    return value;
  } catch {
    return undefined;
  }
}

function readBound(value: unknown): number | string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return typeof value === "string" ? value : undefined;
}

function readStrings(value: unknown): string[] | undefined {
  const ok = Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string");
  return ok ? (value as string[]) : undefined;
}
