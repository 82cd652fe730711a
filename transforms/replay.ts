/**
 * Replaying dead letters (pure): which stored dead letters can be fed through the job again, and what each one's
 * replay did — the row the warehouse updates in place, so a record is never counted in two places.
 */
import { sourceRef } from "./rows";

/** The dead-letter columns a replay reads, as the warehouse exports them (bytes as base64, counts as numbers). */
export interface StoredDeadLetter {
  runId: string;
  schemaName: string;
  sourceUri: string;
  sourceLine: number | null;
  messageId: string | null;
  errorStage: string;
  errorClass: string;
  errorMessage: string;
  payloadString: string | null;
  payloadBytes: string | null;
  attributes: string | null;
  records: number | null;
}

/** The columns `StoredDeadLetter` reads, in the order a warehouse selects them. */
export const STORED_DEAD_LETTER_COLUMNS = [
  "runId",
  "schemaName",
  "sourceUri",
  "sourceLine",
  "messageId",
  "errorStage",
  "errorClass",
  "errorMessage",
  "payloadString",
  "payloadBytes",
  "attributes",
  "records",
] as const;

/** The order a warehouse exports them in: the rows of one record (one source) next to each other. */
export const STORED_DEAD_LETTER_ORDER = ["sourceUri", "sourceLine", "messageId", "errorClass"] as const;

/**
 * `written` and `duplicate` settle a dead letter (its record is in the events table now); `failed_again` leaves it a
 * dead letter, with the reason of its last replay in the error columns. A dead letter is live while it is not settled.
 */
export type ReplayOutcome = "written" | "duplicate" | "failed_again";

/** Which dead letters to replay: the live ones of a run, optionally of one reason, dead-lettered since an instant. */
export interface DeadLetterSelection {
  runId: string;
  /** `errorClass` (e.g. `constraint.max`), or `errorStage/errorClass` as the summary's `byReason` names it. */
  reason?: string;
  /** Epoch ms: only dead letters whose `timestamp` is at or after it. */
  sinceMs?: number;
}

/** The reason filter as the columns it compares: a stage only when the reason names one. */
export function reasonColumns(reason: string): { errorStage?: string; errorClass: string } {
  const slash = reason.indexOf("/");
  if (slash < 0) return { errorClass: reason };
  return { errorStage: reason.slice(0, slash), errorClass: reason.slice(slash + 1) };
}

/** A row as a warehouse client returns it (numbers may arrive as text) → a `StoredDeadLetter`. */
export function storedDeadLetter(row: Record<string, unknown>): StoredDeadLetter {
  const text = (name: string) => (row[name] === null || row[name] === undefined ? null : String(row[name]));
  const count = (name: string) => (row[name] === null || row[name] === undefined ? null : Number(row[name]));
  return {
    runId: String(row.runId),
    schemaName: String(row.schemaName),
    sourceUri: String(row.sourceUri),
    sourceLine: count("sourceLine"),
    messageId: text("messageId"),
    errorStage: String(row.errorStage),
    errorClass: String(row.errorClass),
    errorMessage: String(row.errorMessage),
    payloadString: text("payloadString"),
    payloadBytes: text("payloadBytes"),
    attributes: text("attributes"),
    records: count("records"),
  };
}

/**
 * Why a dead letter cannot be fed through the job again, or undefined when it can: an oversized record kept only a
 * preview, and a row standing for more (or an unknown number of) records — a corrupt Avro block, a Parquet row group,
 * an unreadable file — holds none of them.
 */
export function notReplayableBecause(dead: StoredDeadLetter): string | undefined {
  if (dead.errorClass === "record_too_large") return "only a preview of the oversized record was kept";
  if (dead.records === null) return "it stands for records that cannot be counted";
  if (dead.records !== 1) return `it stands for ${dead.records} records, none of them stored`;
  return undefined;
}

/** Where the record came from, as the events table's `_source` names it: one record per source. */
export function recordKey(dead: Pick<StoredDeadLetter, "sourceUri" | "sourceLine" | "messageId">): string {
  return sourceRef({ uri: dead.sourceUri, line: dead.sourceLine ?? undefined, messageId: dead.messageId ?? undefined });
}

/** One pipeline run of a replay: each record once, with every selected row that stands for it. */
export interface ReplayChunk {
  records: StoredDeadLetter[];
  rows: StoredDeadLetter[];
}

/**
 * Cuts the selected dead letters into chunks of about `chunkBytes` of payload, never between two rows of one record
 * (they must arrive sorted by source). Rows that cannot be replayed are tallied in `notReplayable` by
 * `<errorStage>/<errorClass>` and left out: they stay dead letters.
 */
export function* replayChunks(
  selected: Iterable<StoredDeadLetter>,
  chunkBytes: number,
  notReplayable: Record<string, number>,
): Generator<ReplayChunk> {
  let chunk: ReplayChunk = { records: [], rows: [] };
  let bytes = 0;
  let lastKey: string | undefined;
  for (const dead of selected) {
    if (notReplayableBecause(dead) !== undefined) {
      const reason = `${dead.errorStage}/${dead.errorClass}`;
      notReplayable[reason] = (notReplayable[reason] ?? 0) + 1;
      continue;
    }
    const key = recordKey(dead);
    if (key === lastKey) {
      chunk.rows.push(dead);
      continue;
    }
    if (chunk.records.length > 0 && bytes >= chunkBytes) {
      yield chunk;
      chunk = { records: [], rows: [] };
      bytes = 0;
    }
    lastKey = key;
    chunk.records.push(dead);
    chunk.rows.push(dead);
    bytes += (dead.payloadBytes ?? dead.payloadString ?? "").length;
  }
  if (chunk.records.length > 0) yield chunk;
}

/** What the job did with each replayed record, by `recordKey`: from its staged events, duplicates and dead letters. */
export interface ReplayResults {
  /** `_source` of the events the commit writes (the fresh ones). */
  written: Set<string>;
  /** `_source` of staged events already in the table, and `source` of in-batch duplicates. */
  duplicates: Set<string>;
  /** Dead-letter rows the replay staged, as `deadLetterRow` writes them. */
  failed: Map<string, { errorStage: string; errorClass: string; errorMessage: string }>;
}

/** One row of the update: which stored dead letter (run, source, reason it was selected with), and what it becomes. */
export interface SettledDeadLetter {
  runId: string;
  sourceUri: string;
  sourceLine: number | null;
  messageId: string | null;
  /** The reason it had when selected: with the run and source, the row the update matches. */
  selectedClass: string;
  errorStage: string;
  errorClass: string;
  errorMessage: string;
  replayedBy: string;
  replayedAt: string;
  replayOutcome: ReplayOutcome;
}

/**
 * The update of every selected row: settled when its record was written or found to be a duplicate, else failed again
 * with the new reason. Rows that repeat a (run, source, reason) appear once (the update matches them all).
 */
export function settleDeadLetters(
  rows: StoredDeadLetter[],
  results: ReplayResults,
  replay: { runId: string; at: string },
): SettledDeadLetter[] {
  const settled = new Map<string, SettledDeadLetter>();
  for (const dead of rows) {
    const key = recordKey(dead);
    const identity = JSON.stringify([dead.runId, key, dead.errorClass]);
    if (settled.has(identity)) continue;
    const failed = results.failed.get(key);
    const outcome = outcomeOf(key, results);
    if (outcome === "failed_again" && !failed) {
      throw new Error(`replayed record ${key} ended nowhere: no event, duplicate or dead letter`);
    }
    const reason = failed && outcome === "failed_again" ? failed : dead;
    settled.set(identity, {
      runId: dead.runId,
      sourceUri: dead.sourceUri,
      sourceLine: dead.sourceLine,
      messageId: dead.messageId,
      selectedClass: dead.errorClass,
      errorStage: reason.errorStage,
      errorClass: reason.errorClass,
      errorMessage: reason.errorMessage,
      replayedBy: replay.runId,
      replayedAt: replay.at,
      replayOutcome: outcome,
    });
  }
  return [...settled.values()];
}

function outcomeOf(key: string, results: ReplayResults): ReplayOutcome {
  if (results.written.has(key)) return "written";
  return results.duplicates.has(key) ? "duplicate" : "failed_again";
}
