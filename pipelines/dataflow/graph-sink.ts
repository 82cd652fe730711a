import type * as beam from "../../transforms/beam/sdk";
import type { Contract, WindowFeatureSpec } from "../../schemas/contract";
import { bigQueryTableSchema, deadLetterTableSchema } from "../../schemas/bigquery";
import type { RowSinks } from "../sinks";
import { writeToBigQuery, type FailedRow } from "./bigquery-write";
import { windowPartialsSchema, windowPartialsTableName } from "./window-partials";

type Rows = beam.PCollection<Record<string, unknown>>;

/**
 * Where the portable graph's rows go: a role of the graph, chosen when it is built. Dataflow writes BigQuery (the
 * Storage Write, cross-language Java); Flink and the tests write staged JSON-lines files that the local warehouse
 * loads after the run, exactly as a DirectRunner chunk's files are loaded.
 */
export interface GraphSink {
  /** The events table a refused row is reported against (`project:dataset.table`), where there is one. */
  eventsTable?: string;
  /** Writes the events; resolves to the rows the destination refused (they become dead letters), if it can refuse. */
  events(rows: Rows): Promise<beam.PCollection<FailedRow> | undefined>;
  deadLetters(rows: Rows): Promise<void>;
  /** Records dropped as in-run duplicates of an id (counted where a sink can keep them). */
  duplicates(rows: Rows): void;
  /**
   * The streaming job's one-event window partials (window-partials.ts), where the sink folds them itself. Absent: the
   * job writes none (a batch run's windows, and Flink's, come from the local window pass over the landed events).
   */
  windowPartials?(window: WindowFeatureSpec, rows: Rows): Promise<void>;
}

export interface BigQueryTables {
  /** `project:dataset.table` of the schema's events */
  events: string;
  deadLetters: string;
  /** The batch job's run staging tables are created by the write; the final tables are the launcher's (default). */
  createDisposition?: "CREATE_IF_NEEDED" | "CREATE_NEVER";
  /** `project:dataset` of the window partials (the stream's): the write creates each `<window table>__partials`. */
  windowPartialsDataset?: string;
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

/** The local sink: staged JSON-lines files (events, dead letters, duplicates), loaded into the warehouse after the run. */
export function stagedFilesSink(files: RowSinks): GraphSink {
  return {
    events: async (rows) => {
      files.events(rows);
      return undefined;
    },
    deadLetters: async (rows) => files.deadLetters(rows),
    duplicates: (rows) => files.duplicates(rows),
  };
}
