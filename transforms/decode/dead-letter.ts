import { failure, type Decoded, type Envelope, type Outcome } from "../envelope";
import type { StoredDeadLetter } from "../replay";
import { decodeCsvRecord } from "./csv-record";
import { decodeJsonRecord } from "./json-record";
import { decodeMessage } from "./message";
import { prepareTextRecord } from "./text-record";
import { clipText } from "../text";

/** The attribute that carries a CSV record's column names (a JSON array) into its dead letter, for a replay. */
export const CSV_HEADER_ATTRIBUTE = "rox.csvHeader";

/**
 * A stored dead letter's raw record, decoded again as its source decoded it the first time: a Pub/Sub message from its
 * bytes (a first delivery: attempts start over), a CSV record with the column names it carries, anything else as a
 * JSON line (JSON-lines records, the JSON rendering of an Avro or Parquet record, an event a feature module rejected).
 */
export function decodeDeadLetter(dead: StoredDeadLetter, maxRecordBytes: number): Outcome<Decoded> {
  const bytes = rawBytes(dead);
  const attributes = parseAttributes(dead.attributes);
  if (dead.messageId !== null) {
    const [data, publishTime] = [bytes.toString("base64"), ""];
    // A first delivery: a message dead-lettered for its delivery attempts gets another chance.
    const message = { messageId: dead.messageId, data, attributes: attributes ?? {}, publishTime, deliveryAttempt: 1 };
    return decodeMessage(message, dead.sourceUri, { maxRecordBytes, maxDeliveryAttempts: 1 });
  }
  const line = dead.sourceLine ?? 0;
  const framed = { bytes, offset: 0, line, size: bytes.length, newlines: 0, oversized: bytes.length > maxRecordBytes };
  const prepared = prepareTextRecord(framed, dead.sourceUri);
  const source = { uri: dead.sourceUri, ...(dead.sourceLine === null ? {} : { line: dead.sourceLine }) };
  const envelope: Envelope = { payload: dead.payloadString ?? "", source, attempt: 1 };
  if (prepared === undefined) {
    return failure("decode", "empty_record", `the stored record at ${dead.sourceUri}:${line} is blank`, envelope);
  }
  if (!prepared.ok) return { ok: false, dead: { ...prepared.dead, envelope: { ...prepared.dead.envelope, source } } };
  const text = { text: prepared.value.text, envelope: { ...prepared.value.envelope, source } };
  const header = attributes?.[CSV_HEADER_ATTRIBUTE];
  if (header === undefined) return decodeJsonRecord(text);
  const names = csvHeaderNames(header);
  if (names === undefined) {
    const message = `the CSV header stored with the record is not a list of names: ${clipText(header, 80)}`;
    return failure("decode", "csv_bad_header", message, envelope);
  }
  return decodeCsvRecord({ ...text, envelope: { ...text.envelope, attributes } }, names);
}

/** The record's bytes: the raw bytes where they were kept (not valid UTF-8, or a whole message), else its text. */
function rawBytes(dead: StoredDeadLetter): Buffer {
  if (dead.payloadBytes !== null) return Buffer.from(dead.payloadBytes, "base64");
  return Buffer.from(dead.payloadString ?? "", "utf8");
}

function parseAttributes(json: string | null): Record<string, string> | undefined {
  if (json === null) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    return isObject ? (value as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

/** The column names a CSV record's dead letter carries (`CSV_HEADER_ATTRIBUTE`), as the attribute's JSON array. */
export function csvHeaderAttributes(names: readonly string[]): Record<string, string> {
  return { [CSV_HEADER_ATTRIBUTE]: JSON.stringify(names) };
}

function csvHeaderNames(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((name) => typeof name === "string") ? value : undefined;
  } catch {
    return undefined;
  }
}
