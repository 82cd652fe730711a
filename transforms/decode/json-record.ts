import { failure, success, type Decoded, type Outcome } from "../envelope";
import type { TextRecord } from "./text-record";

/** Parses one JSON line into fields. Values stay exactly as JSON gives them: "33" remains a string. */
export function decodeJsonRecord({ text, envelope }: TextRecord): Outcome<Decoded> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = `malformed JSON at line ${envelope.source.line}: ${(error as Error).message}`;
    return failure("decode", "malformed_json", message, envelope);
  }
  if (!isPlainObject(value)) {
    const message = `JSON at line ${envelope.source.line} is ${describeJson(value)}, not an object`;
    return failure("decode", "not_an_object", message, envelope);
  }
  return success({ fields: value, envelope });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
