import { AvroCursor } from "./avro-cursor";
import { asBuffer, type ByteSource } from "./byte-source";

/** Where one block sits in a container file. */
export interface AvroBlockFrame {
  start: number;
  /** Just past the block's sync marker, where the next block starts. */
  end: number;
  /** Records the block header claims (0 when the header could not be read). */
  count: number;
  /** Whether `count` is the frame's record count: false when the header is lost, or the frame ran on to a later marker. */
  countKnown: boolean;
  dataStart: number;
  dataEnd: number;
  /** Set when the framing is broken; the frame then runs to the next sync marker found (or the end of file). */
  problem?: string;
}

/** A block larger than this is taken as a corrupt size field rather than read into memory. */
export const MAX_BLOCK_BYTES = 256 * 1024 * 1024;
const SEARCH_CHUNK = 1024 * 1024;

/**
 * Walks the blocks in [from, to) using only their headers and sync markers, without reading the data.
 * Planning and reading share this walk, so both see the same frames, also around corrupt blocks.
 */
export function* walkAvroBlocks(
  source: ByteSource,
  sync: Uint8Array,
  from: number,
  to: number,
): Generator<AvroBlockFrame> {
  for (let position = from; position < to;) {
    const frame = frameBlockAt(source, sync, position);
    yield frame;
    position = frame.end;
  }
}

/** Records a frame accounts for in the file's record numbering (and in `read`); an unknown count spans none. */
export function recordsSpanned(frame: AvroBlockFrame): number {
  return frame.countKnown ? frame.count : 0;
}

function frameBlockAt(source: ByteSource, sync: Uint8Array, start: number): AvroBlockFrame {
  const cursor = new AvroCursor(source.read(start, 20));
  let count: number;
  let size: number;
  try {
    count = cursor.readLong();
    size = cursor.readLong();
  } catch {
    return resynchronise(source, sync, start, 0, "unreadable block header");
  }
  if (count < 0 || size < 0 || size > MAX_BLOCK_BYTES) {
    return resynchronise(
      source,
      sync,
      start,
      Math.max(count, 0),
      `implausible block header (count ${count}, size ${size})`,
    );
  }
  const dataStart = start + cursor.position;
  const dataEnd = dataStart + size;
  const marker = source.read(dataEnd, sync.length);
  const frame = { start, end: dataEnd + sync.length, count, countKnown: true, dataStart, dataEnd };
  // A truncated file: the header's count is still what the block held.
  if (marker.length < sync.length)
    return {
      ...frame,
      end: source.size,
      dataEnd: Math.min(dataEnd, source.size),
      problem: "block runs past the end of the file",
    };
  if (asBuffer(marker).equals(sync)) return frame;
  // Only the marker is damaged when the next block frames cleanly right after it: the count is still this block's.
  if (frame.end === source.size || framesCleanly(source, sync, frame.end))
    return { ...frame, problem: "damaged sync marker after the block" };
  return resynchronise(source, sync, start, count, "sync marker does not follow the block");
}

function framesCleanly(source: ByteSource, sync: Uint8Array, start: number): boolean {
  const cursor = new AvroCursor(source.read(start, 20));
  try {
    const [count, size] = [cursor.readLong(), cursor.readLong()];
    if (count < 0 || size < 0 || size > MAX_BLOCK_BYTES) return false;
    return asBuffer(source.read(start + cursor.position + size, sync.length)).equals(sync);
  } catch {
    return false;
  }
}

/** A frame whose end is not known: it runs to the next marker found, over records nobody can count. */
function resynchronise(
  source: ByteSource,
  sync: Uint8Array,
  start: number,
  count: number,
  problem: string,
): AvroBlockFrame {
  const end = findSyncEnd(source, sync, start + 1);
  return { start, end, count, countKnown: false, dataStart: start, dataEnd: end, problem };
}

/** Offset just past the next sync marker at or after `from`, or the file size if there is none. */
export function findSyncEnd(source: ByteSource, sync: Uint8Array, from: number): number {
  for (let position = from; position < source.size; position += SEARCH_CHUNK) {
    const window = asBuffer(source.read(position, SEARCH_CHUNK + sync.length - 1));
    const found = window.indexOf(sync);
    if (found >= 0) return position + found + sync.length;
  }
  return source.size;
}
