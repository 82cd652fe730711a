import * as fs from "fs";
import { readLineBuffers } from "./line-buffers";

const READ_CHUNK_BYTES = 1 << 20;
const FLUSH_BYTES = 1 << 20;

/** Streams the JSON objects of a JSON-lines file, one line at a time, with a bounded buffer. */
export function* readJsonLines(path: string): Generator<Record<string, unknown>> {
  for (const line of readLineBuffers(path)) yield JSON.parse(line.toString("utf8"));
}

/** Appends JSON lines to a file through a buffer: synchronous, because Beam TS DoFns cannot await. */
export class JsonLinesAppender {
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  count = 0;

  constructor(readonly path: string) {}

  append(row: unknown): void {
    const line = JSON.stringify(row) + "\n";
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.count++;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.fd === undefined) this.fd = fs.openSync(this.path, "a");
    if (this.pending.length) fs.writeSync(this.fd, this.pending.join(""));
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Counts the lines of a staged file without parsing them. */
export function countLines(path: string): number {
  if (!fs.existsSync(path)) return 0;
  const fd = fs.openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let lines = 0;
    for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer)) {
      for (let i = buffer.indexOf(10, 0); i !== -1 && i < n; i = buffer.indexOf(10, i + 1)) lines++;
    }
    return lines;
  } finally {
    fs.closeSync(fd);
  }
}
