/** Where a record came from: a file position or a message. Carried into every dead letter. */
export interface RecordSource {
  uri: string;
  /** 1-based line (JSONL/CSV: first physical line of the record) or record index (Avro/Parquet). */
  line?: number;
  /** Byte offset of the record (text formats) or of its block/row group (binary formats). */
  offset?: number;
  messageId?: string;
}

/** An input record as it entered the job, before any interpretation. */
export interface Envelope {
  /** The record as text: a JSON line, a CSV record, or the JSON rendering of a binary record. */
  payload: string;
  /** Set when the raw bytes are not valid UTF-8 (payload then holds a lossy rendering). */
  payloadBase64?: string;
  source: RecordSource;
  attributes?: Record<string, string>;
  /** Delivery attempt, 1 for files. */
  attempt: number;
}

export type Stage = "read" | "decode" | "validate" | "normalize" | "features" | "score" | "write";

export interface DeadLetter {
  stage: Stage;
  /** A stable machine-readable reason, e.g. "malformed_json", "constraint.max". */
  errorClass: string;
  errorMessage: string;
  envelope: Envelope;
  /**
   * Input records this dead letter stands for: 1 when absent; the count a corrupt Avro block or Parquet row group
   * declares; null when no count can be known (a file that cannot be read at all).
   */
  records?: number | null;
}

/** A decoded record: field values by name, still unvalidated. */
export interface Decoded {
  fields: Record<string, unknown>;
  envelope: Envelope;
  /** True when every field value is still text (CSV): the validator coerces by schema type. JSON values are never coerced. */
  textual?: boolean;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; dead: DeadLetter };

export function success<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function failure<T>(
  stage: Stage,
  errorClass: string,
  errorMessage: string,
  envelope: Envelope,
  records?: number | null,
): Outcome<T> {
  const dead: DeadLetter = { stage, errorClass, errorMessage, envelope };
  if (records !== undefined) dead.records = records;
  return { ok: false, dead };
}

/** How many records a dead letter counts for in `read` and `deadLettered`: its known count, else one. */
export function recordsCounted(dead: Pick<DeadLetter, "records">): number {
  return typeof dead.records === "number" ? dead.records : 1;
}
