/** Thrown when the bytes end before the value does; callers read more or call the data truncated. */
export class NeedMoreBytes extends Error {}

/**
 * Reads Avro's binary primitives (zigzag varint longs, length-prefixed bytes) from a buffer. Only the
 * container framing is read this way; records themselves are decoded by avsc.
 */
export class AvroCursor {
  constructor(
    readonly bytes: Uint8Array,
    public position = 0,
  ) {}

  /** A zigzag-encoded long; exact up to 2^53, which covers every count, size and length in a container. */
  readLong(): number {
    const value = this.readVarint();
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  /** An unsigned little-endian base-128 varint. */
  readVarint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.bytes.length) throw new NeedMoreBytes("varint runs past the end");
      const byte = this.bytes[this.position++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new RangeError("varint longer than 10 bytes");
  }

  readBytes(): Uint8Array {
    const length = this.readLong();
    if (length < 0) throw new RangeError(`negative length ${length}`);
    return this.take(length);
  }

  take(length: number): Uint8Array {
    if (this.position + length > this.bytes.length) throw new NeedMoreBytes(`${length} bytes run past the end`);
    const slice = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return slice;
  }
}
