import type { Contract, WindowFeatureSpec } from "../../schemas/contract";
import * as beam from "../../transforms/beam/sdk";
import { bigQueryPredictionsTableSchema, bigQueryTableSchema, deadLetterTableSchema } from "../../schemas/bigquery";
import { JsonLinesFileSink } from "../../io/files/beam-files";
import type { StagedPredictions } from "../../io/ports";
import type { RowSinks } from "../sinks";
import { writeToBigQuery } from "./bigquery-write";
import type { GraphSink, ScoredSink } from "./graph-sink-port";
import { windowPartialsSchema, windowPartialsTableName } from "./window-partials";

type Rows = beam.PCollection<Record<string, unknown>>;

export type { GraphSink } from "./graph-sink-port";

export interface BigQueryTables {
  /** `project:dataset.table` of the schema's events */
  events: string;
  deadLetters: string;
  /** The batch job's run staging tables are created by the write; the final tables are the launcher's (default). */
  createDisposition?: "CREATE_IF_NEEDED" | "CREATE_NEVER";
  /** `project:dataset` of the window partials (the stream's): the write creates each `<window table>__partials`. */
  windowPartialsDataset?: string;
  /**
   * Where the scoring stream (`--score`) appends its predictions: `project:dataset.<table>_predictions__appended`,
   * read through the `<table>_predictions` view (stream-predictions.ts). Created by the write if missing.
   */
  predictions?: string;
}

/** Dataflow's sink: the Storage Write of events and of dead letters. Duplicates are not written anywhere. */
export function bigQuerySink(tables: BigQueryTables, contract: Contract): GraphSink {
  const createDisposition = tables.createDisposition;
  return {
    eventsTable: tables.events,
    events: (rows) =>
      writeToBigQuery("write events", rows, {
        table: tables.events,
        schema: bigQueryTableSchema(contract),
        createDisposition,
      }),
    deadLetters: async (rows) => {
      // Rows the dead-letter table itself refuses have nowhere further to go: Java counts them (BigQuery-write-error-counter).
      await writeToBigQuery("write dead letters", rows, {
        table: tables.deadLetters,
        schema: deadLetterTableSchema(),
        createDisposition,
      });
    },
    duplicates: () => undefined,
    ...(tables.windowPartialsDataset ? { windowPartials: partialsWriter(tables.windowPartialsDataset, contract) } : {}),
    ...(tables.predictions ? { scored: predictionsWriter(tables.predictions, tables.deadLetters, contract) } : {}),
  };
}

function predictionsWriter(table: string, deadLetters: string, contract: Contract): ScoredSink {
  return {
    predictionsTable: table,
    predictions: (rows) =>
      writeToBigQuery("write predictions", rows, {
        table,
        schema: bigQueryPredictionsTableSchema(contract),
        createDisposition: "CREATE_IF_NEEDED",
      }),
    deadLetters: async (rows) => {
      await writeToBigQuery("write score dead letters", rows, { table: deadLetters, schema: deadLetterTableSchema() });
    },
  };
}

function partialsWriter(dataset: string, contract: Contract) {
  return async (window: WindowFeatureSpec, rows: Rows): Promise<void> => {
    // A partial BigQuery refuses has nowhere further to go: Java counts it (BigQuery-write-error-counter).
    await writeToBigQuery(`write ${window.name} partials`, rows, {
      table: `${dataset}.${windowPartialsTableName(contract, window)}`,
      schema: windowPartialsSchema(contract, window),
      createDisposition: "CREATE_IF_NEEDED",
    });
  };
}

/**
 * The local sink: staged JSON-lines files (events, dead letters, duplicates, and with `scored` the predictions and
 * score dead letters), loaded into the warehouse after the run.
 */
export function stagedFilesSink(files: RowSinks, scored?: StagedPredictions): GraphSink {
  const write = (name: string, path: string) => async (rows: Rows) =>
    void rows.apply(beam.withName(name, beam.parDo(new JsonLinesFileSink(), { path })));
  return {
    ...(scored
      ? {
          scored: {
            predictions: async (rows: Rows) => void (await write("write predictions", scored.rows)(rows)),
            deadLetters: write("write score dead letters", scored.deadLetters),
          },
        }
      : {}),
    events: async (rows) => {
      files.events(rows);
      return undefined;
    },
    deadLetters: async (rows) => files.deadLetters(rows),
    duplicates: (rows) => files.duplicates(rows),
  };
}
