/** BigQuery table schemas (the `tables.insert` JSON: fields, partitioning, clustering) derived from a contract. */
import type { Contract, FieldSpec, WindowFeatureSpec } from "./contract";
import { SchemaError } from "./schema-error";
import {
  deadLetterTable,
  eventsTable,
  jobRunsTable,
  monitoringTable,
  predictionsTable,
  type TableLayout,
  windowTable,
} from "./tables";

export type BigQueryMode = "REQUIRED" | "NULLABLE" | "REPEATED";

export interface BigQueryField {
  name: string;
  type: string;
  mode: BigQueryMode;
  description?: string;
  fields?: BigQueryField[];
  /** Parameterized NUMERIC/BIGNUMERIC digits (strings, as the REST API spells int64). */
  precision?: string;
  scale?: string;
}

export interface BigQueryTableSchema {
  fields: BigQueryField[];
  timePartitioning?: { type: "DAY"; field: string };
  clustering?: { fields: string[] };
}

const TYPES: Record<string, string> = {
  string: "STRING",
  int: "INT64",
  long: "INT64",
  float: "FLOAT64",
  double: "FLOAT64",
  boolean: "BOOL",
  bytes: "BYTES",
  timestamp: "TIMESTAMP",
  date: "DATE",
  record: "RECORD",
};
// NUMERIC holds up to 29 integer and 9 fraction digits; wider decimals need BIGNUMERIC (76 and 38).
const NUMERIC_INTEGER_DIGITS = 29;
const NUMERIC_SCALE = 9;

/** The events table: event fields, per-event features, `_source`/`_run_id`/`_ingested_at`; by day of event time. */
export function bigQueryTableSchema(contract: Contract): BigQueryTableSchema {
  return toBigQuery(eventsTable(contract));
}

/** The `<table>_<window>` table of one window aggregate. */
export function bigQueryWindowTableSchema(contract: Contract, window: WindowFeatureSpec): BigQueryTableSchema {
  return toBigQuery(windowTable(contract, window));
}

/** `<table>_predictions`, by day of the event time. */
export function bigQueryPredictionsTableSchema(contract: Contract): BigQueryTableSchema {
  return toBigQuery(predictionsTable(contract));
}

/** The dead-letter table, shared by every schema. */
export function deadLetterTableSchema(): BigQueryTableSchema {
  return toBigQuery(deadLetterTable());
}

/** `job_runs`: every run's summary. */
export function jobRunsTableSchema(): BigQueryTableSchema {
  return toBigQuery(jobRunsTable());
}

/** `monitoring`: the metrics of monitoring runs, partitioned by the scope's start. */
export function monitoringTableSchema(): BigQueryTableSchema {
  return toBigQuery(monitoringTable());
}

function toBigQuery(layout: TableLayout): BigQueryTableSchema {
  const json = (field: BigQueryField) =>
    layout.jsonColumns?.includes(field.name) ? { ...field, type: "JSON" } : field;
  const schema: BigQueryTableSchema = { fields: layout.columns.map(bigQueryField).map(json) };
  if (layout.partitionBy) schema.timePartitioning = { type: "DAY", field: layout.partitionBy };
  if (layout.clusterBy.length > 0) schema.clustering = { fields: layout.clusterBy };
  return schema;
}

/** An array becomes a REPEATED field of its element's type: BigQuery has no array type of its own. */
function bigQueryField(spec: FieldSpec): BigQueryField {
  if (spec.kind === "array") {
    const element = spec.items;
    if (!element || element.kind === "array") {
      throw new SchemaError("unsupported", `${spec.path}: BigQuery cannot nest arrays`);
    }
    return { ...bigQueryField({ ...element, name: spec.name, doc: spec.doc }), mode: "REPEATED" };
  }
  const mode = spec.nullable ? "NULLABLE" : "REQUIRED";
  const field: BigQueryField = { name: spec.name, type: bigQueryType(spec), mode };
  if (spec.doc) field.description = spec.doc;
  if (spec.kind === "record") field.fields = (spec.fields ?? []).map(bigQueryField);
  if (spec.decimal) {
    Object.assign(field, { precision: String(spec.decimal.precision), scale: String(spec.decimal.scale) });
  }
  return field;
}

function bigQueryType(spec: FieldSpec): string {
  if (spec.kind !== "decimal") return TYPES[spec.kind];
  const { precision, scale } = spec.decimal ?? { precision: 38, scale: 9 };
  return precision - scale <= NUMERIC_INTEGER_DIGITS && scale <= NUMERIC_SCALE ? "NUMERIC" : "BIGNUMERIC";
}
