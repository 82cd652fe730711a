import { PassThrough, Readable } from "stream";
import type { ByteRange } from "./ports";

/** A range clamped to an object of `size` bytes, as [start, end) with 0 ≤ start ≤ end ≤ size. */
export function clampRange(range: ByteRange | undefined, size: number): { start: number; end: number } {
  const start = Math.min(Math.max(0, range?.start ?? 0), size);
  const end = Math.min(Math.max(start, range?.end ?? size), size);
  return { start, end };
}

export function emptyStream(): Readable {
  return Readable.from([]);
}

/**
 * The bytes of `source`, with its errors turned into the role's typed errors by `mapError`. Destroying the result
 * (a reader that stops early) destroys the source, so no socket or file handle is left open.
 */
export function withMappedErrors(source: Readable, mapError: (err: unknown) => Error): Readable {
  const out = new PassThrough();
  source.once("error", (err) => out.destroy(mapError(err)));
  out.once("close", () => source.destroy());
  return source.pipe(out);
}
