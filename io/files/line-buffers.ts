import * as fs from "fs";

const READ_CHUNK_BYTES = 1 << 20;

/**
 * Streams the non-blank lines of a file as raw bytes, with a bounded buffer. Bytes, not strings: a line is published
 * exactly as written, so invalid UTF-8 reaches the consumer (and its dead letters) unchanged.
 */
export function* readLineBuffers(path: string): Generator<Buffer> {
  const fd = fs.openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let carry = Buffer.alloc(0);
    for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer)) {
      // A copy: the yielded lines are views into it, and `buffer` is overwritten by the next read.
      const chunk = Buffer.concat([carry, buffer.subarray(0, n)]);
      let start = 0;
      for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
        const line = withoutCarriageReturn(chunk.subarray(start, end));
        if (!isBlank(line)) yield line;
        start = end + 1;
      }
      carry = chunk.subarray(start);
    }
    if (!isBlank(carry)) yield withoutCarriageReturn(carry);
  } finally {
    fs.closeSync(fd);
  }
}

function withoutCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, -1) : line;
}

function isBlank(line: Buffer): boolean {
  return line.every((byte) => byte === 32 || byte === 9 || byte === 13);
}
