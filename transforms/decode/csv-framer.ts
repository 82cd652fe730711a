import { asBuffer } from "./byte-source";
import type { RecordFramer } from "./record-framer";

const LF = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;

/**
 * RFC 4180 record framing with quoted newlines (`--csv-quoted-newlines`; without it CSV is framed by lines, as BigQuery's
 * loader does by default): a '\n' ends a record unless it is inside a quoted field. A quote opens a quoted
 * field only at the start of a field; anywhere else it is kept as data here and reported by the field parser
 * (csv_bad_quoting), so framing never depends on how bad quoting gets interpreted.
 * Stateful across chunks; a new framer must start at a record boundary.
 */
export class CsvFramer implements RecordFramer {
  private quoted = false;
  /** The chunk ended on a quote inside a quoted field: escaped ("") or closing, decided by the next byte. */
  private quotePending = false;
  /** The byte before the current chunk; LF stands for "at the start of a record". */
  private previous = LF;
  private quoteCache = { chunk: undefined as Uint8Array | undefined, from: 0, at: -1 };

  reset(): void {
    this.quoted = false;
    this.quotePending = false;
    this.previous = LF;
  }

  nextEnd(chunk: Uint8Array, from: number): number {
    let i = from;
    if (this.quotePending && i < chunk.length) i = this.resolvePendingQuote(chunk, i);
    while (i < chunk.length) {
      if (this.quoted) {
        i = this.skipQuoted(chunk, i);
        continue;
      }
      const end = this.scanUnquoted(chunk, i);
      if (end.recordEnd) return end.index;
      i = end.index;
    }
    if (chunk.length > 0) this.previous = chunk[chunk.length - 1];
    return -1;
  }

  private resolvePendingQuote(chunk: Uint8Array, i: number): number {
    this.quotePending = false;
    if (chunk[i] === QUOTE) return i + 1; // escaped quote, still inside the field
    this.quoted = false;
    this.previous = QUOTE;
    return i;
  }

  /** Inside a quoted field: jump to the next quote and decide whether it escapes or closes. */
  private skipQuoted(chunk: Uint8Array, i: number): number {
    const q = this.nextQuote(chunk, i);
    if (q < 0) return chunk.length;
    if (q + 1 === chunk.length) {
      this.quotePending = true;
      return chunk.length;
    }
    if (chunk[q + 1] === QUOTE) return q + 2;
    this.quoted = false;
    return q + 1;
  }

  /** Outside quotes: the record ends at the next '\n' unless a field-opening quote comes first. */
  private scanUnquoted(chunk: Uint8Array, i: number): { index: number; recordEnd: boolean } {
    const nl = asBuffer(chunk).indexOf(LF, i);
    const q = this.nextQuote(chunk, i);
    if (q >= 0 && (nl < 0 || q < nl)) {
      const before = q > 0 ? chunk[q - 1] : this.previous;
      if (before === COMMA || before === LF) this.quoted = true;
      return { index: q + 1, recordEnd: false };
    }
    if (nl >= 0) {
      this.previous = LF;
      return { index: nl + 1, recordEnd: true };
    }
    return { index: chunk.length, recordEnd: false };
  }

  /** indexOf('"') with a cache, so a chunk without quotes is searched once, not once per record. */
  private nextQuote(chunk: Uint8Array, from: number): number {
    const cache = this.quoteCache;
    const stale = cache.chunk !== chunk || from < cache.from || (cache.at >= 0 && cache.at < from);
    if (stale) {
      cache.chunk = chunk;
      cache.from = from;
      cache.at = asBuffer(chunk).indexOf(QUOTE, from);
    }
    return cache.at;
  }
}
