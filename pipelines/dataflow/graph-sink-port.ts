import type * as beam from "../../transforms/beam/sdk";
import type { WindowFeatureSpec } from "../../schemas/contract";
import type { FailedRow } from "./bigquery-write";

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
  /** The streaming job's predictions and score dead letters, where it scores (`--score`; stream-score-graph.ts). */
  scored?: ScoredSink;
}

export interface ScoredSink {
  /** `project:dataset.<table>_predictions`, where there is one: what a refused prediction is reported against. */
  predictionsTable?: string;
  /** Writes the predictions; resolves to the rows the destination refused (they become dead letters), if it can. */
  predictions(rows: Rows): Promise<beam.PCollection<FailedRow> | undefined>;
  /** Score dead letters (and refused predictions), written apart from the ingest's dead letters. */
  deadLetters(rows: Rows): Promise<void>;
}
