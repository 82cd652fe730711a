/**
 * Normalizing a validated event, and rendering one for output. Pure.
 *
 * `normalizeEvent` gives the one in-memory form that dedupe, features, windows and rows rely on, whatever format the
 * event came in: fields in schema order, timestamps as UTC epoch ms, dates as days since the epoch, decimals as text
 * at the schema's scale (so "12.5" and "012.50" are the same value). It is idempotent.
 *
 * Strings are not trimmed: validation judged the value as sent (patterns, lengths), and the id is the dedupe key;
 * rewriting either after validation would let a row differ from what its checks saw. A schema that must refuse
 * padding says so with `rox.pattern`.
 */
import type { Contract, EventRecord, FieldSpec } from "../schemas/contract";
import { DAY_MS, parseIsoDate, parseIsoInstant, toIsoDate, toIsoUtc } from "../schemas/timestamps";

export { toIsoUtc } from "../schemas/timestamps";

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

/** The canonical in-memory form of a validated event (see the file comment). */
export function normalizeEvent(contract: Contract, event: EventRecord): EventRecord {
  return mapFields(contract.fields, event, normalizeValue);
}

/** An event for output (rows, files): timestamps as `"2001-01-01T00:01:00.000Z"`, dates as `"2001-01-01"`. */
export function renderEvent(contract: Contract, event: EventRecord): Record<string, unknown> {
  return mapFields(contract.fields, event, renderValue);
}

type ValueMapper = (spec: FieldSpec, value: unknown) => unknown;

function mapFields(specs: FieldSpec[], record: EventRecord, map: ValueMapper): EventRecord {
  const out: EventRecord = {};
  for (const spec of specs) out[spec.name] = mapValue(spec, record[spec.name], map);
  return out;
}

function mapValue(spec: FieldSpec, value: unknown, map: ValueMapper): unknown {
  if (value === null || value === undefined) return null;
  if (spec.kind === "record" && spec.fields) return mapFields(spec.fields, value as EventRecord, map);
  if (spec.kind === "array" && spec.items) return (value as unknown[]).map((item) => mapValue(spec.items!, item, map));
  return map(spec, value);
}

function normalizeValue(spec: FieldSpec, value: unknown): unknown {
  if (spec.kind === "timestamp") return epochMs(value);
  if (spec.kind === "date") return epochDays(value);
  if (spec.kind === "decimal" && typeof value === "string") return canonicalDecimal(value, spec.decimal?.scale ?? 0);
  return value;
}

function renderValue(spec: FieldSpec, value: unknown): unknown {
  if (spec.kind === "timestamp") return toIsoUtc(epochMs(value) as number);
  if (spec.kind === "date") return toIsoDate(epochDays(value) as number);
  return value;
}

// Validated events already hold numbers; Date and ISO text are accepted so that normalizing is idempotent and
// events built by hand (tests, replays) need no special path.
function epochMs(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== "string") return value;
  const parsed = parseIsoInstant(value);
  return parsed.ok ? parsed.ms : value;
}

function epochDays(value: unknown): unknown {
  if (value instanceof Date) return Math.floor(value.getTime() / DAY_MS);
  return typeof value === "string" ? (parseIsoDate(value) ?? value) : value;
}

/** `"012.5"` at scale 2 → `"12.50"`; `"-0"` → `"0.00"`. Validation has already bounded the digits. */
export function canonicalDecimal(text: string, scale: number): string {
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return text;
  const integer = m[2].replace(/^0+(?=\d)/, "");
  const fraction = (m[3] ?? "").padEnd(scale, "0");
  const sign = m[1] && /[1-9]/.test(integer + fraction) ? "-" : "";
  return scale > 0 ? `${sign}${integer}.${fraction}` : `${sign}${integer}`;
}
