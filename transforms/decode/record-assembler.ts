import { countNewlines, type RecordFramer } from "./record-framer";
import { asBuffer } from "./byte-source";
import { withoutPartialCharacter } from "../text";

/** Bytes of an oversized record kept for its dead letter. */
export const PREVIEW_BYTES = 64 * 1024;
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** One framed text record, terminator removed. */
export interface FramedRecord {
  /** The record's bytes; for an oversized record only its first PREVIEW_BYTES (less a character cut in half). */
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
 * Joins byte chunks into records, carrying partial records over chunk boundaries. A record over maxRecordBytes is not
 * buffered further: only its preview is kept while the rest streams past.
 *
 * A record may span lines only within maxRecordBytes (CSV with quoted newlines): one that would run past it ends at its
 * first line instead, and framing starts afresh on the next line — so a stray quote costs one line, not the rest of the
 * file. Whether a record is cut depends only on its bytes, never on where chunks end, so planning and reading (both go
 * through this class) agree on every record boundary.
 */
export class RecordAssembler {
  private parts: Uint8Array[] = [];
  private size = 0;
  private newlines = 0;
  private oversized = false;
  /** Preview bytes kept while oversized. */
  private kept = 0;
  /** The record's last byte so far, to tell a CRLF terminator whose CR came in an earlier chunk. */
  private lastByte = -1;
  private offset: number;
  private line: number;
  private readonly maxRecordBytes: number;

  constructor(
    private readonly framer: RecordFramer,
    start: AssemblerStart,
  ) {
    this.offset = start.offset;
    this.line = start.line;
    this.maxRecordBytes = start.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  *push(chunk: Uint8Array): Generator<FramedRecord> {
    const queue = [chunk];
    for (let buffer = queue.shift(); buffer !== undefined; buffer = queue.shift()) {
      for (let from = 0; from < buffer.length;) {
        const end = this.framer.nextEnd(buffer, from);
        const piece = buffer.subarray(from, end < 0 ? buffer.length : end);
        const cut = this.append(piece, end >= 0);
        if (cut) {
          yield cut.record;
          this.framer.reset?.();
          queue.unshift(cut.rest, buffer.subarray(from + piece.length));
          break;
        }
        if (end < 0) break;
        yield this.take(true);
        from = end;
      }
    }
  }

  /** The last record when the input does not end with a newline. */
  *finish(): Generator<FramedRecord> {
    if (this.size > 0) yield this.take(false);
  }

  /** Adds a piece of the current record; a record that spans lines and runs past the limit is cut at its first line. */
  private append(piece: Uint8Array, terminated: boolean): { record: FramedRecord; rest: Uint8Array } | undefined {
    const sizeBefore = this.size;
    this.size += piece.length;
    this.newlines += countNewlines(piece);
    const inner = this.newlines - (terminated ? 1 : 0);
    if (inner > 0 && this.contentBytes(piece, terminated) > this.maxRecordBytes)
      return this.cutAtFirstLine(piece, sizeBefore);
    if (piece.length > 0) this.lastByte = piece[piece.length - 1];
    if (this.oversized) return void this.keepPreview(piece);
    this.parts.push(piece);
    // +2 leaves room for a CRLF terminator, which does not count towards the record's size limit.
    if (this.size > this.maxRecordBytes + 2) this.startOversized();
    return undefined;
  }

  /**
   * The record's size without its terminator ('\n' or '\r\n') once `piece` is appended; for a record still open, the
   * least it can end up with (a trailing '\r' may turn out to be its terminator's).
   */
  private contentBytes(piece: Uint8Array, terminated: boolean): number {
    const last = piece.length > 0 ? piece[piece.length - 1] : this.lastByte;
    if (!terminated) return this.size - (last === CR ? 1 : 0);
    const beforeLf = piece.length >= 2 ? piece[piece.length - 2] : this.lastByte;
    return this.size - (beforeLf === CR ? 2 : 1);
  }

  /**
   * Ends the record at its first '\n' and hands back what followed it, to be framed afresh. The first '\n' is in the
   * kept parts, or — when the first line alone was already over the limit and only its preview is kept — in `piece`.
   */
  private cutAtFirstLine(piece: Uint8Array, sizeBefore: number): { record: FramedRecord; rest: Uint8Array } {
    if (this.oversized) {
      const at = asBuffer(piece).indexOf(LF);
      this.keepPreview(piece.subarray(0, at));
      return this.endCut(sizeBefore + at + 1, piece.subarray(at + 1));
    }
    const joined = joinBytes([...this.parts, piece]);
    const at = asBuffer(joined).indexOf(LF);
    this.parts = [joined.subarray(0, at + 1)];
    if (at + 1 > this.maxRecordBytes + 2) this.startOversized();
    return this.endCut(at + 1, joined.subarray(at + 1));
  }

  private endCut(size: number, rest: Uint8Array): { record: FramedRecord; rest: Uint8Array } {
    this.size = size;
    this.newlines = 1;
    const record = this.take(true);
    return { record, rest };
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
    const whole = !this.oversized || this.size <= this.kept;
    const bytes = terminated && whole ? stripTerminator(joined) : joined;
    const oversized = this.oversized || bytes.length > this.maxRecordBytes;
    const preview =
      oversized && this.size > PREVIEW_BYTES ? withoutPartialCharacter(bytes.subarray(0, PREVIEW_BYTES)) : bytes;
    const record = {
      bytes: preview,
      offset: this.offset,
      line: this.line,
      size: this.size,
      newlines: this.newlines,
      oversized,
    };
    this.offset += this.size;
    this.line += this.newlines;
    this.parts = [];
    this.size = this.newlines = this.kept = 0;
    this.lastByte = -1;
    this.oversized = false;
    return record;
  }
}

function stripTerminator(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === LF) end--;
  if (end > 0 && bytes[end - 1] === CR) end--;
  return bytes.subarray(0, end);
}

function joinBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  return Buffer.concat(parts);
}
