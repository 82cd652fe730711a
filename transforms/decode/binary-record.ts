import { failure, success, type Decoded, type Outcome, type RecordSource } from "../envelope";
import { renderJson, toPlainValue } from "./plain-value";
import { clipText } from "../text";

/** Wraps one record decoded from Avro or Parquet: plain fields plus its JSON rendering as the payload. */
export function decodeBinaryRecord(value: unknown, source: RecordSource): Outcome<Decoded> {
  const envelope = { payload: renderJson(value), source, attempt: 1 };
  const fields = toPlainValue(value);
  if (!isRecord(fields)) {
    return failure(
      "decode",
      "not_an_object",
      `record ${source.line} is not a record: ${clipText(envelope.payload, 80)}`,
      envelope,
    );
  }
  return success({ fields, envelope });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}
