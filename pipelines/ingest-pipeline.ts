import * as beam from "../transforms/beam/sdk";
import type { Counter } from "../transforms/beam/sdk";
import type { EventRecord } from "../schemas/contract";
import { readDeadLetterBatch, readManifest, readMessageBatch, readSplitRecords } from "../io/files/beam-files";
import type { Decoded, Outcome } from "../transforms/envelope";
import {
  validateDecoded,
  type Deduped,
  type IngestContext,
  type KeyedEvent,
  type Validated,
} from "../transforms/beam/ingest";
import { BucketById, ID_BUCKETS, keepFirstOfIdInBuckets } from "../transforms/beam/id-buckets";
import type { RowSinks } from "./sinks";
import { applyWindowAggregates, type WindowSpecs } from "./window-pipeline";

/** What one run reads: file splits listed in a manifest, a staged micro-batch of messages, or stored dead letters. */
export type IngestSource =
  | { kind: "files"; manifest: string }
  | { kind: "messages"; batch: string; subscription: string; maxDeliveryAttempts: number }
  | { kind: "dead-letters"; batch: string };

export interface IngestOptions extends IngestContext {
  source: IngestSource;
  maxRecordBytes: number;
  windows: WindowSpecs["windows"];
}

/** The name of the Beam counter that counts every record read; the job reconciles against it. */
export const READ_COUNTER = "records_read";

/**
 * files → decode → validate → normalize → dedupe by id → features → rows; every record lands in exactly one sink.
 * The chunk's unique events also feed the window aggregates, which are right as they stand when the warehouse held
 * none of them (otherwise the job recomputes them over the fresh events alone).
 */
export function ingestPipeline(options: IngestOptions, sinks: RowSinks) {
  const { source, maxRecordBytes, windows, ...ctx } = options;
  return (root: beam.Root) => {
    const validated = readRecords(root, source, maxRecordBytes)
      .map(validateDecoded, { ...ctx, read: beam.counter(READ_COUNTER) as Counter })
      .apply(beam.split<Validated & Record<string, unknown>>(["ok", "dead"]));
    // Grouped by id bucket, each bundle's events held in lists by bucket (see BucketById), then regrouped by id.
    const deduped = (validated.ok as beam.PCollection<KeyedEvent>)
      .apply(beam.withName("bucket by id", beam.parDo(new BucketById(), { buckets: ID_BUCKETS })))
      .apply(beam.groupByKey<number, KeyedEvent[]>())
      .flatMap(keepFirstOfIdInBuckets, ctx)
      .apply(beam.split<Deduped & Record<string, unknown>>(["events", "unique", "duplicates", "dead"]));
    sinks.deadLetters(
      beam.P([validated.dead, deduped.dead] as beam.PCollection<Record<string, unknown>>[]).apply(beam.flatten()),
    );
    sinks.events(deduped.events as beam.PCollection<Record<string, unknown>>);
    sinks.duplicates(deduped.duplicates as beam.PCollection<Record<string, unknown>>);
    applyWindowAggregates(
      deduped.unique as beam.PCollection<EventRecord>,
      { schema: ctx.schema, schemasDir: ctx.schemasDir, windows },
      sinks,
    );
  };
}

function readRecords(
  root: beam.Root,
  source: IngestSource,
  maxRecordBytes: number,
): beam.PCollection<Outcome<Decoded>> {
  const start = root.apply(beam.impulse());
  if (source.kind === "messages") return start.flatMap(readMessageBatch, { ...source, maxRecordBytes });
  if (source.kind === "dead-letters") {
    return start.flatMap(readDeadLetterBatch, { batch: source.batch, maxRecordBytes });
  }
  return start.flatMap(readManifest, { manifest: source.manifest }).flatMap(readSplitRecords, { maxRecordBytes });
}
