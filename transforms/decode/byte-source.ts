/**
 * Random access to a file's bytes. The IO side supplies it (local fs, later object stores), so the binary
 * decoders stay free of fs and can be tested on in-memory buffers.
 */
export interface ByteSource {
  readonly size: number;
  /** Reads `length` bytes at `position`; fewer only when the end of the source comes first. */
  read(position: number, length: number): Uint8Array;
}

/** A ByteSource over bytes already in memory (tests, small files). */
export function memoryByteSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (position, length) => bytes.subarray(position, Math.min(bytes.length, position + length)),
  };
}

/** Views bytes as a Buffer without copying, for Buffer-only APIs (indexOf with memchr, avsc, zlib). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
