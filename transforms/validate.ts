/**
 * Validating a decoded record against its contract. Pure: no fs, no Beam. Every failure is a dead letter of stage
 * "validate" whose message names the field path and the rule, e.g. `origin: must match ^[A-Z]{3}$ (got "la")`.
 */
import { checkConstraints, describeValue, type Violation } from "./constraints";
import type { Contract, EventRecord, FieldSpec, ScalarKind } from "../schemas/contract";
import { DAY_MS, parseIsoDate, parseIsoInstant } from "../schemas/timestamps";
import { type Decoded, failure, type Outcome, success } from "./envelope";

interface Context {
  textual: boolean;
  nowMs: number;
}
type Checked = { ok: true; value: unknown } | { ok: false; violation: Violation };
/** A scalar check: the value in its validated form, or why not (path is added by the caller). */
type Scalar = (raw: unknown, spec: FieldSpec, textual: boolean) => Checked;

const INT32 = 2 ** 31;
const FLOAT32_MAX = 3.4028234663852886e38;
// Date's own limit: beyond it an instant cannot be rendered.
const MAX_INSTANT_MS = 8.64e15;
const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const DECIMAL_TEXT = /^-?(\d+)(?:\.(\d+))?$/;
const EXPECTED_INSTANT = "expected an ISO-8601 instant";

/**
 * The record's fields in validated form (unknown fields dropped; timestamps as epoch ms), or its first violation as a
 * dead letter. `decoded.textual` (CSV) makes strings be coerced to the schema's kinds; JSON values never are.
 * `nowMs` is the run's clock, for relative bounds such as `now+1d`.
 */
export function validateRecord(contract: Contract, decoded: Decoded, nowMs: number): Outcome<EventRecord> {
  try {
    const context = { textual: decoded.textual === true, nowMs };
    const checked = checkRecord(contract.fields, decoded.fields, "", context);
    if (checked.ok) return success(checked.value as EventRecord);
    return failure("validate", checked.violation.errorClass, checked.violation.message, decoded.envelope);
  } catch (error) {
    return failure("validate", "internal_error", `validate: ${(error as Error).message}`, decoded.envelope);
  }
}

function checkRecord(specs: FieldSpec[], raw: unknown, path: string, ctx: Context): Checked {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return reject("wrong_type", path || "(record)", "expected a record", raw);
  }
  const values: Record<string, unknown> = {};
  for (const spec of specs) {
    const fieldPath = path ? `${path}.${spec.name}` : spec.name;
    // Own properties only: a field named "constructor" must not find Object's.
    const value = Object.hasOwn(raw, spec.name) ? (raw as Record<string, unknown>)[spec.name] : undefined;
    const checked = checkValue(spec, value, fieldPath, ctx);
    if (!checked.ok) return checked;
    values[spec.name] = checked.value;
  }
  const clash = findEqualSibling(specs, values, path);
  return clash ? { ok: false, violation: clash } : accept(values);
}

function checkValue(spec: FieldSpec, raw: unknown, path: string, ctx: Context): Checked {
  const absent = raw === undefined || (ctx.textual && raw === "");
  if (absent && spec.default !== undefined) return checkValue(spec, spec.default, path, { ...ctx, textual: false });
  if (absent || raw === null) {
    if (spec.nullable) return accept(null);
    return reject("missing_field", path, raw === null ? "must not be null" : "required field is missing", undefined);
  }
  if (spec.kind === "record") return checkRecord(spec.fields ?? [], raw, path, ctx);
  if (spec.kind === "array") return checkArray(spec, raw, path, ctx);
  const checked = SCALARS[spec.kind](raw, spec, ctx.textual && typeof raw === "string");
  if (!checked.ok) return prefixPath(path, checked.violation);
  const broken = checkConstraints(spec, checked.value, path, ctx.nowMs);
  return broken ? { ok: false, violation: broken } : checked;
}

function checkArray(spec: FieldSpec, raw: unknown, path: string, ctx: Context): Checked {
  if (!Array.isArray(raw) || !spec.items) return reject("wrong_type", path, "expected an array", raw);
  const values: unknown[] = [];
  for (const [index, item] of raw.entries()) {
    const checked = checkValue(spec.items, item, `${path}[${index}]`, ctx);
    if (!checked.ok) return checked;
    values.push(checked.value);
  }
  return accept(values);
}

function findEqualSibling(specs: FieldSpec[], values: Record<string, unknown>, path: string): Violation | undefined {
  for (const spec of specs) {
    const other = spec.constraints.notEqual;
    const value = values[spec.name];
    if (other === undefined || value === null || value !== values[other]) continue;
    const fieldPath = path ? `${path}.${spec.name}` : spec.name;
    const message = `${fieldPath}: must differ from ${other} (both ${describeValue(value)})`;
    return { errorClass: "constraint.notEqual", message };
  }
  return undefined;
}

const SCALARS: Record<ScalarKind, Scalar> = {
  string: (raw) => (typeof raw === "string" ? accept(raw) : expected("string", raw)),
  bytes: (raw) => (typeof raw === "string" || raw instanceof Uint8Array ? accept(raw) : expected("bytes", raw)),
  int: (raw, _spec, textual) => checkInteger(raw, textual, "int", (n) => n >= -INT32 && n < INT32),
  long: (raw, _spec, textual) => checkInteger(raw, textual, "long", Number.isSafeInteger),
  float: (raw, _spec, textual) => checkFloat(raw, textual, "float", FLOAT32_MAX),
  double: (raw, _spec, textual) => checkFloat(raw, textual, "double", Number.MAX_VALUE),
  boolean: checkBoolean,
  timestamp: checkTimestamp,
  date: checkDate,
  decimal: checkDecimal,
};

// Binary decoders may hand longs over as bigint (Parquet INT64); they are numbers once they fit exactly.
function checkInteger(raw: unknown, textual: boolean, kind: string, inRange: (n: number) => boolean): Checked {
  const text = textual ? String(raw).trim() : undefined;
  const n = text !== undefined && INTEGER_TEXT.test(text) ? Number(text) : typeof raw === "bigint" ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isInteger(n)) return expected(kind, raw);
  return inRange(n) ? accept(n) : reject("wrong_type", "", `out of ${kind} range`, raw);
}

function checkFloat(raw: unknown, textual: boolean, kind: string, max: number): Checked {
  const text = textual ? String(raw).trim() : undefined;
  const n = text !== undefined && NUMBER_TEXT.test(text) ? Number(text) : raw;
  if (typeof n !== "number" || !Number.isFinite(n)) return expected(kind, raw);
  return Math.abs(n) <= max ? accept(n) : reject("wrong_type", "", `out of ${kind} range`, raw);
}

function checkBoolean(raw: unknown, _spec: FieldSpec, textual: boolean): Checked {
  if (typeof raw === "boolean") return accept(raw);
  const text = textual ? String(raw).trim().toLowerCase() : undefined;
  return text === "true" || text === "false" ? accept(text === "true") : expected("boolean", raw);
}

/** Epoch ms from an ISO-8601 instant with a zone, an epoch number in the field's unit, or a Date. */
function checkTimestamp(raw: unknown, spec: FieldSpec, textual: boolean): Checked {
  const perMs = spec.timestampUnit === "micros" ? 1000 : 1;
  if (raw instanceof Date) return checkInstant(raw.getTime(), raw);
  if (typeof raw === "number" || typeof raw === "bigint") return checkEpoch(Number(raw), perMs, raw);
  if (typeof raw !== "string") return expected("timestamp", raw);
  if (textual && INTEGER_TEXT.test(raw.trim())) return checkEpoch(Number(raw.trim()), perMs, raw);
  const parsed = parseIsoInstant(raw);
  if (parsed.ok) return checkInstant(parsed.ms, raw);
  const problem = parsed.reason === "no_zone" ? "timestamp needs a zone (Z or ±hh:mm)" : EXPECTED_INSTANT;
  return reject("invalid_timestamp", "", problem, raw);
}

function checkEpoch(n: number, perMs: number, raw: unknown): Checked {
  if (!Number.isInteger(n)) return reject("invalid_timestamp", "", "epoch value must be an integer", raw);
  return checkInstant(Math.floor(n / perMs), raw);
}

function checkInstant(ms: number, raw: unknown): Checked {
  return Math.abs(ms) <= MAX_INSTANT_MS ? accept(ms) : reject("invalid_timestamp", "", "instant out of range", raw);
}

/** Days since the epoch from `YYYY-MM-DD`, a day count, or a Date (its UTC day). */
function checkDate(raw: unknown, _spec: FieldSpec, textual: boolean): Checked {
  if (raw instanceof Date && !Number.isNaN(raw.getTime())) return accept(Math.floor(raw.getTime() / DAY_MS));
  const text = textual && typeof raw === "string" && INTEGER_TEXT.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof text === "number") {
    return Number.isInteger(text) ? accept(text) : reject("invalid_date", "", "day count must be an integer", raw);
  }
  const days = typeof text === "string" ? parseIsoDate(text) : undefined;
  return days === undefined ? reject("invalid_date", "", "expected a YYYY-MM-DD date", raw) : accept(days);
}

// A decimal's canonical text is a string, so strings are accepted from JSON too; kept as text to stay exact.
function checkDecimal(raw: unknown, spec: FieldSpec, textual: boolean): Checked {
  const text = typeof raw === "number" ? String(raw) : typeof raw === "string" && textual ? raw.trim() : raw;
  const m = typeof text === "string" ? DECIMAL_TEXT.exec(text) : null;
  if (!m || !spec.decimal) return expected("decimal", raw);
  const { precision, scale } = spec.decimal;
  const integerDigits = m[1].replace(/^0+/, "").length;
  if (integerDigits > precision - scale || (m[2] ?? "").length > scale) {
    return reject("wrong_type", "", `does not fit decimal(${precision},${scale})`, raw);
  }
  return accept(text);
}

function prefixPath(path: string, violation: Violation): Checked {
  return { ok: false, violation: { ...violation, message: `${path}: ${violation.message}` } };
}

function accept(value: unknown): Checked {
  return { ok: true, value };
}

function expected(kind: string, raw: unknown): Checked {
  return reject("wrong_type", "", `expected ${kind}`, raw);
}

/** A violation; scalar checks leave `path` empty and checkValue prefixes it. */
function reject(errorClass: string, path: string, problem: string, raw: unknown): Checked {
  const got = raw === undefined ? "" : ` (got ${describeValue(raw)})`;
  return { ok: false, violation: { errorClass, message: `${path ? `${path}: ` : ""}${problem}${got}` } };
}
