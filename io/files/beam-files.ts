import { requireForSerialization } from "apache-beam/serialization";
import type { DoFn } from "../../transforms/beam/sdk";
import * as fs from "fs";
import type { FileSplit } from "./splits";
import { readSplit } from "./splits";
import type { Decoded, Outcome } from "../../transforms/envelope";
import { JsonLinesAppender, readJsonLines } from "./json-lines";
import { decodeMessage, type MessageLimits, type MessageRecord } from "../../transforms/decode/message";
import { decodeDeadLetter } from "../../transforms/decode/dead-letter";
import type { StoredDeadLetter } from "../../transforms/replay";

/** The splits of one pipeline run, read from a manifest file (never serialized into the graph). */
export function readManifest(_impulse: unknown, ctx: { manifest: string }): FileSplit[] {
  return JSON.parse(fs.readFileSync(ctx.manifest, "utf8")) as FileSplit[];
}

export function readSplitRecords(split: FileSplit, ctx: { maxRecordBytes: number }): Generator<Outcome<Decoded>> {
  return readSplit(split, { maxRecordBytes: ctx.maxRecordBytes });
}

/** The messages of one micro-batch, staged by the streaming job, decoded one by one. */
export function* readMessageBatch(
  _impulse: unknown,
  ctx: { batch: string; subscription: string } & MessageLimits,
): Generator<Outcome<Decoded>> {
  for (const message of readJsonLines(ctx.batch))
    yield decodeMessage(message as unknown as MessageRecord, ctx.subscription, ctx);
}

/** The stored dead letters of one replay chunk, each decoded again as its source decoded it (`decodeDeadLetter`). */
export function* readDeadLetterBatch(_impulse: unknown, ctx: { batch: string; maxRecordBytes: number }) {
  const stored = readJsonLines(ctx.batch) as unknown as Iterable<StoredDeadLetter>;
  for (const dead of stored) yield decodeDeadLetter(dead, ctx.maxRecordBytes);
}

export function readJsonLinesFile(_impulse: unknown, ctx: { path: string }): Generator<Record<string, unknown>> {
  return readJsonLines(ctx.path);
}

/** A file sink for the local runner: each bundle appends its rows to the staged file the job loads after the run. */
export class JsonLinesFileSink implements DoFn<unknown, never, { path: string }> {
  private appender: JsonLinesAppender | undefined;

  startBundle(ctx: { path: string }): void {
    this.appender = new JsonLinesAppender(ctx.path);
    this.appender.flush();
  }

  process(row: unknown): void {
    this.appender?.append(row);
  }

  finishBundle(): void {
    this.appender?.close();
    this.appender = undefined;
  }
}

requireForSerialization("rox-gcp/io/files/beam-files", {
  readManifest,
  readSplitRecords,
  readMessageBatch,
  readDeadLetterBatch,
  readJsonLinesFile,
  JsonLinesFileSink,
});
