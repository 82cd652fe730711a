import * as beam from "../../transforms/beam/sdk";
import type { Counter } from "../../transforms/beam/sdk";
import type { Decoded, Outcome } from "../../transforms/envelope";
import type { EventRecord } from "../../schemas/contract";
import {
  keepFirstOfId,
  validateDecoded,
  type Deduped,
  type IngestContext,
  type KeyedEvent,
  type Validated,
} from "../../transforms/beam/ingest";
import { READ_COUNTER } from "../ingest-pipeline";
import type { GraphSink } from "./graph-sink";
import {
  asGroupOfOne,
  countRow,
  DEAD_LETTERS_COUNTER,
  EVENTS_REFUSED_COUNTER,
  EVENTS_SENT_COUNTER,
  failedRowToDeadLetter,
} from "./ingest-steps";

export type { BigQueryTables } from "./graph-sink";

export interface DataflowIngestOptions extends IngestContext {
  /** Where events and dead letters go: BigQuery on Dataflow, staged files on Flink and in tests. */
  sink: GraphSink;
  maxRecordBytes: number;
}

type Rows = beam.PCollection<Record<string, unknown>>;

/**
 * decoded records → the shared validate and first-of-id steps → the sink's events; every dead letter (validation,
 * features, and the rows the sink refused) → its dead letters. `dedupe: "group"` groups by id (bounded input);
 * `"none"` leaves it to the Pub/Sub id attribute. Resolves to the first-of-id events (normalized, event time in ms).
 */
export async function ingestToSink(
  decoded: beam.PCollection<Outcome<Decoded>>,
  options: DataflowIngestOptions,
  dedupe: "group" | "none",
): Promise<beam.PCollection<EventRecord>> {
  const { sink, maxRecordBytes: _limit, ...ctx } = options;
  const validated = decoded
    .map(validateDecoded, { ...ctx, read: beam.counter(READ_COUNTER) as Counter })
    .apply(beam.split<Validated & Record<string, unknown>>(["ok", "dead"]));
  const ok = validated.ok as beam.PCollection<KeyedEvent>;
  const groups = dedupe === "group" ? ok.apply(beam.groupByKey<string, KeyedEvent["value"]>()) : ok.map(asGroupOfOne);
  const deduped = groups
    .flatMap(keepFirstOfId, ctx)
    .apply(beam.split<Deduped & Record<string, unknown>>(["events", "unique", "duplicates", "dead"]));
  const failed = await sink.events(counted("events", deduped.events as Rows, EVENTS_SENT_COUNTER));
  const failedContext = {
    table: sink.eventsTable ?? ctx.schema,
    schemaName: ctx.schema,
    jobName: ctx.jobName,
    runId: ctx.runId,
    nowMs: ctx.nowMs,
  };
  const refused = failed ? [counted("refused", failed, EVENTS_REFUSED_COUNTER)] : [];
  const failedDead = refused.map((rows) => rows.map(failedRowToDeadLetter, failedContext) as Rows);
  const dead = beam.P([validated.dead, deduped.dead, ...failedDead] as Rows[]).apply(beam.flatten());
  await sink.deadLetters(counted("dead letters", dead as Rows, DEAD_LETTERS_COUNTER));
  sink.duplicates(deduped.duplicates as Rows);
  return deduped.unique as beam.PCollection<EventRecord>;
}

function counted<T>(what: string, rows: beam.PCollection<T>, name: string): beam.PCollection<T> {
  return rows.map(beam.withName(`count ${what}`, countRow<T>), { counter: beam.counter(name) as Counter });
}
