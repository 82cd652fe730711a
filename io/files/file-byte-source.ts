import * as fs from "node:fs";
import type { ByteSource } from "../../transforms/decode/byte-source";

/** Bytes read per step when streaming a split: memory per reader is about one chunk. */
export const CHUNK_BYTES = 1024 * 1024;

export interface FileByteSource extends ByteSource {
  close(): void;
}

/**
 * A ByteSource over a local file with synchronous reads (Beam TS DoFns cannot await). Every read gets a
 * fresh buffer, so records sliced from an earlier chunk stay valid while later chunks are read.
 */
export function openFileByteSource(path: string): FileByteSource {
  const fd = fs.openSync(path, "r");
  const size = fs.fstatSync(fd).size;
  return {
    size,
    read: (position, length) => readAt(fd, position, Math.max(0, Math.min(length, size - position))),
    close: () => fs.closeSync(fd),
  };
}

function readAt(fd: number, position: number, length: number): Uint8Array {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const read = fs.readSync(fd, buffer, filled, length - filled, position + filled);
    if (read === 0) break; // the file shrank since it was opened
    filled += read;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/** Streams source[start, end) in chunks. */
export function* readChunks(
  source: ByteSource,
  start: number,
  end: number,
  chunkBytes = CHUNK_BYTES,
): Generator<Uint8Array> {
  for (let position = start; position < end;) {
    const chunk = source.read(position, Math.min(chunkBytes, end - position));
    if (chunk.length === 0) return;
    yield chunk;
    position += chunk.length;
  }
}

/** Opens a file for the duration of `use`, closing it even when `use` throws. */
export function withFileByteSource<T>(path: string, use: (source: FileByteSource) => T): T {
  const source = openFileByteSource(path);
  try {
    return use(source);
  } finally {
    source.close();
  }
}

/** Runs a generator over an open file, closing the file when it finishes, throws or is abandoned. */
export function* streamFromFile<T>(path: string, read: (source: ByteSource) => Iterable<T>): Generator<T> {
  const source = openFileByteSource(path);
  try {
    yield* read(source);
  } finally {
    source.close();
  }
}
