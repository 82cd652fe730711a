import { failure, type Envelope, type Outcome } from "../envelope";
import type { FramedRecord } from "./record-assembler";
import { decodeUtf8Lossy, decodeUtf8Strict, isBlank, toBase64 } from "./utf8";

/** A text record ready for a format decoder: its text and the envelope that carries it. */
export interface TextRecord {
  text: string;
  envelope: Envelope;
}

/**
 * Checks what every text format needs before parsing: the size limit and strict UTF-8.
 * Returns undefined for a blank record, which is skipped rather than dead-lettered.
 */
export function prepareTextRecord(record: FramedRecord, uri: string): Outcome<TextRecord> | undefined {
  const source = { uri, line: record.line, offset: record.offset };
  if (record.oversized) {
    const envelope = { payload: decodeUtf8Lossy(record.bytes), source, attempt: 1 };
    const message = `record at line ${record.line} is ${record.size} bytes, over the limit; payload holds its first ${record.bytes.length} bytes`;
    return failure("decode", "record_too_large", message, envelope);
  }
  if (isBlank(record.bytes)) return undefined;
  const text = decodeUtf8Strict(record.bytes);
  if (text === undefined) {
    const envelope = {
      payload: decodeUtf8Lossy(record.bytes),
      payloadBase64: toBase64(record.bytes),
      source,
      attempt: 1,
    };
    return failure("decode", "invalid_utf8", `record at line ${record.line} is not valid UTF-8`, envelope);
  }
  return { ok: true, value: { text, envelope: { payload: text, source, attempt: 1 } } };
}
