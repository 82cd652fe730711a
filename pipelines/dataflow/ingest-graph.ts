import * as beam from "../../transforms/beam/sdk";
import type { Counter } from "../../transforms/beam/sdk";
import type { Decoded, Outcome } from "../../transforms/envelope";
import { keepFirstOfId, validateDecoded, type Deduped, type IngestContext, type KeyedEvent, type Validated } from "../../transforms/beam/ingest";
import { loadContract } from "../../schemas/load";
import { bigQueryTableSchema, deadLetterTableSchema } from "../../schemas/bigquery";
import { READ_COUNTER } from "../ingest-pipeline";
import { writeToBigQuery } from "./bigquery-write";
import { asGroupOfOne, failedRowToDeadLetter } from "./ingest-steps";

export interface BigQueryTables {
  /** `project:dataset.table` of the schema's events */
  events: string;
  deadLetters: string;
  /** The batch job's run staging tables are created by the write; the final tables are the launcher's (default). */
  createDisposition?: "CREATE_IF_NEEDED" | "CREATE_NEVER";
}

export interface DataflowIngestOptions extends IngestContext {
  tables: BigQueryTables;
  maxRecordBytes: number;
}

type Rows = beam.PCollection<Record<string, unknown>>;

/**
 * decoded records → the shared validate and first-of-id steps → BigQuery events; every dead letter (validation,
 * features, and the rows BigQuery refused) → the dead-letter table. `dedupe: "group"` groups by id (bounded input);
 * `"none"` leaves it to the Pub/Sub id attribute.
 */
export async function ingestToBigQuery(decoded: beam.PCollection<Outcome<Decoded>>, options: DataflowIngestOptions, dedupe: "group" | "none"): Promise<void> {
  const { tables, maxRecordBytes: _limit, ...ctx } = options;
  const validated = decoded
    .map(validateDecoded, { ...ctx, read: beam.counter(READ_COUNTER) as Counter })
    .apply(beam.split<Validated & Record<string, unknown>>(["ok", "dead"]));
  const ok = validated.ok as beam.PCollection<KeyedEvent>;
  const groups = dedupe === "group" ? ok.apply(beam.groupByKey<string, KeyedEvent["value"]>()) : ok.map(asGroupOfOne);
  const deduped = groups.flatMap(keepFirstOfId, ctx).apply(beam.split<Deduped & Record<string, unknown>>(["events", "unique", "duplicates", "dead"]));
  const contract = loadContract(ctx.schema, { dir: ctx.schemasDir });
  const failed = await writeToBigQuery("write events", deduped.events as Rows, { table: tables.events, schema: bigQueryTableSchema(contract), createDisposition: tables.createDisposition });
  const failedDead = failed.map(failedRowToDeadLetter, { table: tables.events, schemaName: ctx.schema, jobName: ctx.jobName, runId: ctx.runId, nowMs: ctx.nowMs });
  const dead = beam.P([validated.dead, deduped.dead, failedDead] as Rows[]).apply(beam.flatten());
  // Rows the dead-letter table itself refuses have nowhere further to go: Java counts them (BigQuery-write-error-counter).
  await writeToBigQuery("write dead letters", dead, { table: tables.deadLetters, schema: deadLetterTableSchema(), createDisposition: tables.createDisposition });
}
