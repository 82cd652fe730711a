import * as beam from "../../transforms/beam/sdk";
import {
  inputPattern,
  keyByUri,
  listInputObjects,
  objectsOfGroup,
  readObjectRecords,
  type InputObject,
} from "../../io/gcp/gcs/beam-gcs-files";
import type { GcsClientOptions } from "../../io/gcp/gcs/gcs-client";
import type { FileFormat } from "../../io/files/splits";
import { runStageTable } from "../../io/gcp/bigquery/bigquery-run-stage";
import type { BigQueryTables } from "./graph-sink";
import { ingestToSink, type DataflowIngestOptions } from "./ingest-graph";

export interface BatchGraphOptions extends DataflowIngestOptions {
  /** A `gs://` file, prefix or glob (the template's `input`), or a local path (tests): listed and read on the workers. */
  input: string;
  /** Every file's format; by default each file's extension says. */
  format?: FileFormat;
  /** How workers reach Cloud Storage: the project, or an emulator's endpoint. */
  storage: GcsClientOptions;
}

/**
 * The batch job on Dataflow: the input pattern → its objects, listed on a worker → grouped by URI, so the shuffle
 * spreads them over workers (without it Dataflow fuses every read into the one bundle that listed them) → each
 * object read whole → shared transforms (grouped by id) → the sink. On Dataflow the sink is the run's staging
 * tables beside the final ones (`runStageTablesOf`), never the final tables: finalizing commits them like a local
 * chunk (only the events the table does not hold, window rows, `job_runs`, in one transaction) and drops them.
 */
export function batchGraph(options: BatchGraphOptions) {
  return async (root: beam.Root): Promise<void> => {
    const { input, format, storage, ...ingest } = options;
    const decoded = root
      .apply(beam.impulse())
      .map(inputPattern, { input })
      .flatMap(listInputObjects, format ? { storage, format } : { storage })
      .map(keyByUri)
      .apply(beam.withName("spread objects", beam.groupByKey<string, InputObject>()))
      .flatMap(objectsOfGroup)
      .flatMap(readObjectRecords, { storage, maxRecordBytes: ingest.maxRecordBytes });
    await ingestToSink(decoded, ingest, "group");
  };
}

/** `project:dataset.table` → `project:dataset.table__run_<run id>`, for both tables the job writes. */
export function runStageTablesOf(tables: BigQueryTables, runId: string): BigQueryTables {
  const beside = (table: string) => {
    const dot = table.lastIndexOf(".");
    return `${table.slice(0, dot + 1)}${runStageTable(table.slice(dot + 1), runId)}`;
  };
  // The run's tables do not exist before the job: the write creates them (the final tables are the launcher's).
  return {
    events: beside(tables.events),
    deadLetters: beside(tables.deadLetters),
    createDisposition: "CREATE_IF_NEEDED",
  };
}
