import { asBuffer } from "./byte-source";

const LF = 0x0a;

/**
 * Finds where records end in a stream of byte chunks. Planning and reading both frame records through the
 * same implementation, so a split boundary is always a record boundary the reader agrees with.
 */
export interface RecordFramer {
  /** Index just past the '\n' that ends the current record, searching from `from`; -1 if it is not in this chunk. */
  nextEnd(chunk: Uint8Array, from: number): number;
  /** Forgets any state carried over chunks: the next byte starts a record (after a record was cut at its first line). */
  reset?(): void;
}

/** JSONL, and CSV unless quoted newlines are allowed: every '\n' ends a record. */
export const lineFramer: RecordFramer = {
  nextEnd(chunk, from) {
    const i = asBuffer(chunk).indexOf(LF, from);
    return i < 0 ? -1 : i + 1;
  },
};

/** Counts '\n' bytes in chunk[from, to). */
export function countNewlines(chunk: Uint8Array, from = 0, to = chunk.length): number {
  const buffer = asBuffer(chunk);
  let count = 0;
  for (let i = buffer.indexOf(LF, from); i >= 0 && i < to; i = buffer.indexOf(LF, i + 1)) count++;
  return count;
}
