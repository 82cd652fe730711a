import * as beam from "../../transforms/beam/sdk";
import { withCoderInternal } from "apache-beam/transforms/internal";
import { AtomicType, type Field, type Schema } from "apache-beam/proto/schema";
import type { BigQueryTableSchema } from "../../schemas/bigquery";
import { PortableRowCoder } from "./row-coder";
import { beamRowSchema } from "./row-schema";
import { gcpSchemaTransform, type SchemaTransformConfig } from "./schema-transform";

/** Java's BigQueryStorageWriteApiSchemaTransformProvider at 2.49.0 (`…:v2` arrived in a later release). */
export const STORAGE_WRITE_IDENTIFIER = "beam:schematransform:org.apache.beam:bigquery_storage_write:v1";

export interface StorageWriteOptions {
  /** `project:dataset.table` or `dataset.table` */
  table: string;
  schema: BigQueryTableSchema;
  createDisposition?: "CREATE_IF_NEEDED" | "CREATE_NEVER";
  /** Streaming only: how often appends are committed (Java's default: 5 s). */
  triggeringFrequencySeconds?: number;
}

/** A row BigQuery refused, with its reason: Java's `FailedRowsWithErrors` output. */
export interface FailedRow {
  failed_row: Record<string, unknown>;
  error_message: string;
}

type Rows = beam.PCollection<Record<string, unknown>>;

/**
 * Rows (BigQuery JSON values) → the Storage Write API through Java; resolves to the rows BigQuery refused. The
 * configuration fields are in the provider's order (alphabetical on 2.49.0; the graph test checks it against the
 * service's own DiscoverSchemaTransform answer).
 */
export async function writeToBigQuery(
  name: string,
  rows: Rows,
  options: StorageWriteOptions,
): Promise<beam.PCollection<FailedRow>> {
  const typed = rows.apply(
    beam.withName(`${name} as rows`, withCoderInternal(new PortableRowCoder(beamRowSchema(options.schema)))),
  );
  const transform = gcpSchemaTransform<{ input: Rows }, Record<string, beam.PCollection<unknown>>>(
    name,
    STORAGE_WRITE_IDENTIFIER,
    storageWriteConfig(options),
  );
  const outputs = await beam.P({ input: typed }).applyAsync(transform);
  return outputs.FailedRowsWithErrors as beam.PCollection<FailedRow>;
}

/** The provider's configuration: append only; tables are created by the launcher, not by the job. */
export function storageWriteConfig(options: StorageWriteOptions): SchemaTransformConfig {
  const row = {
    autoSharding: null,
    createDisposition: options.createDisposition ?? "CREATE_NEVER",
    table: options.table,
    triggeringFrequencySeconds: options.triggeringFrequencySeconds ?? null,
    useAtLeastOnceSemantics: null,
    writeDisposition: "WRITE_APPEND",
  };
  return { schema: STORAGE_WRITE_CONFIG_SCHEMA, row };
}

function configField(name: string, atomicType: AtomicType, nullable: boolean, index: number): Field {
  return {
    name,
    description: "",
    type: { nullable, typeInfo: { oneofKind: "atomicType", atomicType } },
    id: index,
    encodingPosition: index,
    options: [],
  };
}

export const STORAGE_WRITE_CONFIG_SCHEMA: Schema = {
  id: "6f0b7f43-51a5-4c1e-9a43-2c5b8e1d0a01",
  encodingPositionsSet: false,
  options: [],
  fields: [
    configField("autoSharding", AtomicType.BOOLEAN, true, 0),
    configField("createDisposition", AtomicType.STRING, true, 1),
    configField("table", AtomicType.STRING, false, 2),
    configField("triggeringFrequencySeconds", AtomicType.INT64, true, 3),
    configField("useAtLeastOnceSemantics", AtomicType.BOOLEAN, true, 4),
    configField("writeDisposition", AtomicType.STRING, true, 5),
  ],
};
