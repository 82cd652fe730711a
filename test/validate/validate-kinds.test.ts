import { parseContract } from "../../schemas/parse-contract";
import { validateRecord } from "../../transforms/validate";
import { decodedOf, expectDead, NOW_MS } from "./helpers";

// Every scalar kind, JSON and CSV, on a schema built in the test (the fixtures cover files).
const kinds = parseContract("kinds", {
  type: "record",
  name: "Kinds",
  "rox.id": "id",
  "rox.eventTime": "ts",
  fields: [
    { name: "id", type: "long" },
    { name: "ts", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "ratio", type: ["null", "double"], default: null },
    { name: "score", type: ["null", "float"], default: null },
    { name: "flag", type: ["null", "boolean"], default: null },
    { name: "blob", type: ["null", "bytes"], default: null },
    { name: "note", type: ["null", "string"], default: null },
  ],
});
const BASE = { id: 1, ts: 978307260000 };
const EMPTY = { ratio: null, score: null, flag: null, blob: null, note: null };

function validate(overrides: Record<string, unknown>, textual = false) {
  const base = textual ? { id: "1", ts: "978307260000" } : BASE;
  return validateRecord(kinds, decodedOf({ ...base, ...overrides }, textual), NOW_MS);
}

test.each<[string, Record<string, unknown>, boolean, Record<string, unknown>]>([
  ["JSON double", { ratio: 0.5 }, false, { ratio: 0.5 }],
  ["JSON boolean", { flag: false }, false, { flag: false }],
  ["JSON bytes as text", { blob: "\u00ff" }, false, { blob: "\u00ff" }],
  ["bytes from a binary decoder", { blob: new Uint8Array([1, 2]) }, false, { blob: new Uint8Array([1, 2]) }],
  ["long as a bigint (Parquet INT64)", { id: BigInt(2) ** BigInt(40) }, false, { id: 2 ** 40 }],
  ["JSON empty string stays a string", { note: "" }, false, { note: "" }],
  ["CSV double with exponent", { ratio: "1.5e3" }, true, { ratio: 1500 }],
  ["CSV float", { score: "-.25" }, true, { score: -0.25 }],
  ["CSV boolean, any case", { flag: "TRUE" }, true, { flag: true }],
  ["CSV empty → null for nullable", { ratio: "", flag: "", note: "" }, true, {}],
  ["CSV strings are not trimmed", { note: " a " }, true, { note: " a " }],
])("%s", (_name, overrides, textual, expected) => {
  expect(validate(overrides, textual)).toEqual({ ok: true, value: { ...BASE, ...EMPTY, ...expected } });
});

test.each<[string, Record<string, unknown>, boolean, string, string]>([
  ["JSON boolean as text is not coerced", { flag: "true" }, false, "wrong_type", 'flag: expected boolean (got "true")'],
  ["JSON NaN-like", { ratio: "NaN" }, false, "wrong_type", 'ratio: expected double (got "NaN")'],
  ["long beyond 2^53", { id: 2 ** 60 }, false, "wrong_type", "id: out of long range"],
  ["float beyond float32", { score: 1e39 }, false, "wrong_type", "score: out of float range (got 1e+39)"],
  ["CSV boolean as yes", { flag: "yes" }, true, "wrong_type", 'flag: expected boolean (got "yes")'],
  ["CSV double as words", { ratio: "Infinity" }, true, "wrong_type", 'ratio: expected double (got "Infinity")'],
  ["CSV empty id (not nullable)", { id: "" }, true, "missing_field", "id: required field is missing"],
  ["a bytes field given a number", { blob: 1 }, false, "wrong_type", "blob: expected bytes (got 1)"],
])("%s", (_name, overrides, textual, errorClass, message) => {
  expectDead(validate(overrides, textual), errorClass, message);
});

test("an exception inside validation becomes an internal_error dead letter", () => {
  const broken = { ...kinds, fields: [{ ...kinds.fields[0], kind: "nonsense" as never }] };
  expectDead(validateRecord(broken, decodedOf(BASE), NOW_MS), "internal_error", "validate:");
});
