import * as beam from "../../transforms/beam/sdk";
import { readManifest, readSplitRecords } from "../../io/local/beam-files";
import { ingestToBigQuery, type DataflowIngestOptions } from "./ingest-graph";

export interface BatchGraphOptions extends DataflowIngestOptions {
  /** JSON list of the file splits to read (as the local batch job writes it); the workers must be able to read it. */
  manifest: string;
}

/** The batch job on Dataflow: file splits → shared transforms (grouped by id) → BigQuery. */
export function batchGraph(options: BatchGraphOptions) {
  return async (root: beam.Root): Promise<void> => {
    const decoded = root
      .apply(beam.impulse())
      .flatMap(readManifest, { manifest: options.manifest })
      .flatMap(readSplitRecords, { maxRecordBytes: options.maxRecordBytes });
    await ingestToBigQuery(decoded, options, "group");
  };
}
