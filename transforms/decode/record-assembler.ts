import { countNewlines, type RecordFramer } from "./record-framer";

/** Bytes of an oversized record kept for its dead letter. */
export const PREVIEW_BYTES = 64 * 1024;
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** One framed text record, terminator removed. */
export interface FramedRecord {
  /** The record's bytes; for an oversized record only its first PREVIEW_BYTES. */
  bytes: Uint8Array;
  /** Absolute byte offset of the record's first byte. */
  offset: number;
  /** 1-based number of the record's first physical line. */
  line: number;
  /** Full size in bytes, terminator included. */
  size: number;
  /** '\n' bytes in the record, terminator included: the next record starts on line + newlines. */
  newlines: number;
  oversized: boolean;
}

export interface AssemblerStart {
  offset: number;
  line: number;
  maxRecordBytes?: number;
}

/**
 * Joins byte chunks into records, carrying partial records over chunk boundaries. A record over
 * maxRecordBytes is not buffered further: only its preview is kept while the rest streams past.
 */
export class RecordAssembler {
  private parts: Uint8Array[] = [];
  private size = 0;
  private newlines = 0;
  private oversized = false;
  /** Preview bytes kept while oversized. */
  private kept = 0;
  private offset: number;
  private line: number;
  private readonly maxRecordBytes: number;

  constructor(private readonly framer: RecordFramer, start: AssemblerStart) {
    this.offset = start.offset;
    this.line = start.line;
    this.maxRecordBytes = start.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  *push(chunk: Uint8Array): Generator<FramedRecord> {
    let from = 0;
    while (from < chunk.length) {
      const end = this.framer.nextEnd(chunk, from);
      this.append(chunk.subarray(from, end < 0 ? chunk.length : end));
      if (end < 0) return;
      yield this.take(true);
      from = end;
    }
  }

  /** The last record when the input does not end with a newline. */
  *finish(): Generator<FramedRecord> {
    if (this.size > 0) yield this.take(false);
  }

  private append(piece: Uint8Array): void {
    this.size += piece.length;
    this.newlines += countNewlines(piece);
    if (this.oversized) return this.keepPreview(piece);
    this.parts.push(piece);
    // +2 leaves room for a CRLF terminator, which does not count towards the record's size limit.
    if (this.size > this.maxRecordBytes + 2) this.startOversized();
  }

  /** From here on only the preview is kept; copying it releases the chunks it came from. */
  private startOversized(): void {
    this.oversized = true;
    const preview = joinBytes(this.parts).subarray(0, PREVIEW_BYTES).slice();
    this.parts = [preview];
    this.kept = preview.length;
  }

  private keepPreview(piece: Uint8Array): void {
    if (this.kept >= PREVIEW_BYTES) return;
    const part = piece.subarray(0, PREVIEW_BYTES - this.kept).slice();
    this.parts.push(part);
    this.kept += part.length;
  }

  private take(terminated: boolean): FramedRecord {
    const joined = joinBytes(this.parts);
    const bytes = terminated && !this.oversized ? stripTerminator(joined) : joined;
    const oversized = this.oversized || bytes.length > this.maxRecordBytes;
    const record = { bytes: oversized ? bytes.subarray(0, PREVIEW_BYTES) : bytes, offset: this.offset, line: this.line, size: this.size, newlines: this.newlines, oversized };
    this.offset += this.size;
    this.line += this.newlines;
    this.parts = [];
    this.size = this.newlines = this.kept = 0;
    this.oversized = false;
    return record;
  }
}

function stripTerminator(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end--;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  return bytes.subarray(0, end);
}

function joinBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  return Buffer.concat(parts);
}
