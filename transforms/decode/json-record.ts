import { failure, success, type Decoded, type Outcome } from "../envelope";
import type { TextRecord } from "./text-record";
import { findIllFormedText, isWellFormedText } from "../text";

/** Parses one JSON line into fields. Values stay exactly as JSON gives them: "33" remains a string. */
export function decodeJsonRecord({ text, envelope }: TextRecord): Outcome<Decoded> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = `malformed JSON ${where(envelope)}: ${(error as Error).message}`;
    return failure("decode", "malformed_json", message, envelope);
  }
  if (!isPlainObject(value)) {
    const message = `JSON ${where(envelope)} is ${describeJson(value)}, not an object`;
    return failure("decode", "not_an_object", message, envelope);
  }
  // A \u escape can put a lone surrogate into parsed text; text from strict UTF-8 is well formed itself.
  const illFormed = text.includes("\\u") || !isWellFormedText(text) ? findIllFormedText(value) : undefined;
  if (illFormed !== undefined) {
    const message = `JSON ${where(envelope)}: ${illFormed} is not valid Unicode (a \\u escape of a lone surrogate)`;
    return failure("decode", "invalid_unicode", message, envelope);
  }
  return success({ fields: value, envelope });
}

/** "at line 12" for a file record, "in message 42" for a Pub/Sub message. */
function where(envelope: TextRecord["envelope"]): string {
  const { line, messageId } = envelope.source;
  return line === undefined && messageId !== undefined ? `in message ${messageId}` : `at line ${line}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
