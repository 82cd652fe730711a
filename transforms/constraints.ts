/**
 * Applying a field's `rox.*` constraints to a value of the right kind. Lives next to their parsing
 * (`constraint-attributes.ts`) so each attribute has one definition; pure, used by `transforms/validate.ts`.
 */
import type { FieldSpec } from "../schemas/contract";
import { resolveDateBound, resolveInstantBound, toIsoDate, toIsoUtc } from "../schemas/timestamps";
import { clipText } from "./text";

/** Why a value breaks its contract: a stable class (dead-letter `errorClass`) and a message naming the field. */
export interface Violation {
  errorClass: string;
  message: string;
}

// Patterns are compiled once per process rather than per record; the set of patterns is bounded by the schemas.
const compiled = new Map<string, RegExp>();

/** The first constraint `value` breaks, or undefined. `path` is the runtime path, e.g. `legs[2].code`. */
export function checkConstraints(spec: FieldSpec, value: unknown, path: string, nowMs: number): Violation | undefined {
  if (typeof value === "string" && spec.kind === "string") return checkString(spec, value, path);
  const { min, max } = spec.constraints;
  if (min === undefined && max === undefined) return undefined;
  return checkBound(spec, value, path, nowMs, "min") ?? checkBound(spec, value, path, nowMs, "max");
}

/** Renders a value for a message: JSON, cut short so a huge payload does not flood the dead-letter table. */
export function describeValue(value: unknown): string {
  const text =
    value instanceof Date ? describeDate(value) : typeof value === "bigint" ? `${value}n` : JSON.stringify(value);
  if (text === undefined) return String(value);
  return clipText(text, 80);
}

function describeDate(date: Date): string {
  return Number.isNaN(date.getTime()) ? "Invalid Date" : `Date(${date.toISOString()})`;
}

// Lengths count code points, not UTF-16 units: "≤ 128 characters" should not depend on how JS stores an emoji.
function checkString(spec: FieldSpec, value: string, path: string): Violation | undefined {
  const { minLength, maxLength, pattern, oneOf } = spec.constraints;
  const length = minLength !== undefined || maxLength !== undefined ? [...value].length : 0;
  if (minLength !== undefined && length < minLength) {
    return violation("minLength", `${path}: length must be >= ${minLength} (got ${length})`);
  }
  if (maxLength !== undefined && length > maxLength) {
    return violation("maxLength", `${path}: length must be <= ${maxLength} (got ${length})`);
  }
  if (pattern !== undefined && !regExp(pattern).test(value)) {
    return violation("pattern", `${path}: must match ${pattern} (got ${describeValue(value)})`);
  }
  if (oneOf !== undefined && !oneOf.includes(value)) {
    return violation("oneOf", `${path}: must be one of ${oneOf.join(", ")} (got ${describeValue(value)})`);
  }
  return undefined;
}

type BoundRule = "min" | "max";

function checkBound(
  spec: FieldSpec,
  value: unknown,
  path: string,
  nowMs: number,
  rule: BoundRule,
): Violation | undefined {
  const bound = spec.constraints[rule];
  if (bound === undefined) return undefined;
  const limit = resolveBound(spec, bound, nowMs);
  const actual = Number(value);
  const broken = rule === "min" ? actual < limit : actual > limit;
  if (!broken) return undefined;
  const relation = rule === "min" ? ">=" : "<=";
  const shown = render(spec, limit);
  const label = typeof bound === "string" && bound.startsWith("now") ? `${bound} = ${shown}` : shown;
  return violation(rule, `${path}: must be ${relation} ${label} (got ${render(spec, actual)})`);
}

// Bounds were checked when the schema was loaded, so they resolve; NaN would only make the check pass silently.
function resolveBound(spec: FieldSpec, bound: number | string, nowMs: number): number {
  if (spec.kind === "timestamp") return resolveInstantBound(bound, nowMs) ?? Number.NaN;
  if (spec.kind === "date") return resolveDateBound(bound, nowMs) ?? Number.NaN;
  return Number(bound);
}

function render(spec: FieldSpec, n: number): string {
  if (spec.kind === "timestamp") return toIsoUtc(n);
  return spec.kind === "date" ? toIsoDate(n) : String(n);
}

function regExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = new RegExp(pattern)));
  return re;
}

function violation(rule: string, message: string): Violation {
  return { errorClass: `constraint.${rule}`, message };
}
