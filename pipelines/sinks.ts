import * as beam from "../transforms/beam/sdk";
import { JsonLinesFileSink } from "../io/files/beam-files";

type Rows = beam.PCollection<Record<string, unknown>>;

/**
 * Where a pipeline's outputs go. Chosen once, when the graph is built: staged files on the local runner (loaded into
 * the warehouse after the run, like BigQuery's file loads), a BigQuery write on Dataflow.
 */
export interface RowSinks {
  events(rows: Rows): void;
  deadLetters(rows: Rows): void;
  duplicates(rows: Rows): void;
  windowPartials(window: string, rows: Rows): void;
}

export interface StagedPaths {
  events: string;
  deadLetters: string;
  duplicates: string;
  windowPartials: (window: string) => string;
}

export function stagedFileSinks(paths: StagedPaths): RowSinks {
  const write = (name: string, path: string, rows: Rows) => {
    rows.apply(beam.withName(`write ${name}`, beam.parDo(new JsonLinesFileSink(), { path })));
  };
  return {
    events: (rows) => write("events", paths.events, rows),
    deadLetters: (rows) => write("dead letters", paths.deadLetters, rows),
    duplicates: (rows) => write("duplicates", paths.duplicates, rows),
    windowPartials: (window, rows) => write(`window ${window}`, paths.windowPartials(window), rows),
  };
}
