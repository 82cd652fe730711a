/**
 * The tables a contract implies, independent of the warehouse: columns (as FieldSpecs), key, partitioning and
 * clustering. `bigquery.ts` and `duckdb.ts` only map this layout to their dialect, so the two cannot drift apart.
 */
import type { Contract, FeatureColumn, FieldSpec, ScalarKind, WindowFeatureSpec } from "./contract";
import { SchemaError } from "./schema-error";

export interface TableLayout {
  name: string;
  columns: FieldSpec[];
  /** Unique key; the warehouse may enforce it (DuckDB) or not (BigQuery). Empty when none. */
  primaryKey: string[];
  /** A timestamp column the table is partitioned by, per day. */
  partitionBy?: string;
  clusterBy: string[];
  /** String columns that hold JSON text: stored as the warehouse's JSON type where it has one. */
  jsonColumns?: string[];
}

export const DEAD_LETTER_TABLE = "dead_letters";
export const JOB_RUNS_TABLE = "job_runs";
export const MONITORING_TABLE = "monitoring";

/** `<table>_<window>`, e.g. `flights_origin_hourly`. */
export function windowTableName(contract: Pick<Contract, "table">, window: Pick<WindowFeatureSpec, "name">): string {
  return `${contract.table}_${window.name}`;
}

/** Event fields, then the per-event feature columns, then where/when each row was written. */
export function eventsTable(contract: Contract): TableLayout {
  const features = (contract.features?.event ?? []).map(featureColumn);
  const metadata = [
    column("_source", "string", false, "Input record the row came from: file uri:line, or subscription#messageId."),
    column("_run_id", "string", false, "Run that wrote the row."),
    column("_ingested_at", "timestamp", false, "When the run wrote the row (the run's clock)."),
  ];
  return {
    name: contract.table,
    columns: [...contract.fields, ...features, ...metadata],
    primaryKey: [contract.idField],
    partitionBy: contract.eventTimeField,
    clusterBy: contract.clustering,
  };
}

/** One row per key and tumbling window: the key column is named and typed like the event field it comes from. */
export function windowTable(contract: Contract, window: WindowFeatureSpec): TableLayout {
  const keyField = contract.fields.find((f) => f.name === window.key);
  if (!keyField) {
    const message = `window ${window.name}: key ${window.key} is not a field of ${contract.name}`;
    throw new SchemaError("invalid_attribute", message);
  }
  const key: FieldSpec = { ...keyField, nullable: false, constraints: {} };
  const columns = [
    key,
    column("window_start", "timestamp", false, "Start of the window (inclusive)."),
    column("window_end", "timestamp", false, "End of the window (exclusive)."),
    ...window.columns.map(featureColumn),
    column("_updated_at", "timestamp", false, "When the row was last recomputed."),
  ];
  return {
    name: windowTableName(contract, window),
    columns,
    primaryKey: [window.key, "window_start"],
    partitionBy: "window_start",
    clusterBy: [window.key],
  };
}

/** Google's Pub/Sub→BigQuery dead-letter columns first (same names and types), then ours. */
export function deadLetterTable(name: string = DEAD_LETTER_TABLE): TableLayout {
  const columns = [
    column("timestamp", "timestamp", false, "When the record was dead-lettered."),
    column("payloadString", "string", true, "The record as text (lossy when not UTF-8)."),
    column("payloadBytes", "bytes", true, "The raw bytes, when they were not valid UTF-8."),
    column("attributes", "string", true, "Message attributes as a JSON object."),
    column("errorMessage", "string", false, "What was wrong, naming the field and rule."),
    column("stacktrace", "string", true, "Stack of an unexpected exception."),
    column("errorStage", "string", false, "Stage that rejected the record: read, decode, validate, ..."),
    column("errorClass", "string", false, "Stable reason, e.g. malformed_json, constraint.max."),
    column("sourceUri", "string", false, "File URI or subscription the record came from."),
    column("sourceLine", "long", true, "1-based line (text files) or record index (binary files)."),
    column("messageId", "string", true, "Pub/Sub message id."),
    column("attempt", "long", false, "Delivery attempt, 1 for files."),
    column(
      "records",
      "long",
      true,
      "Input records the row stands for: 1, a corrupt block's or row group's declared count, null if unknowable.",
    ),
    column("schemaName", "string", false, "Schema the record was checked against."),
    column("jobName", "string", false, "Job that read the record."),
    column("runId", "string", false, "Run that read the record."),
    column("replayedBy", "string", true, "Replay run that last fed the record through the job again; null if never."),
    column("replayedAt", "timestamp", true, "When that replay committed."),
    column("replayOutcome", "string", true, "written, duplicate (both settled), or failed_again (errors say why now)."),
  ];
  return { name, columns, primaryKey: [], partitionBy: "timestamp", clusterBy: ["errorStage", "errorClass"] };
}

/** Every run's summary, one row per run, upserted as the run goes (its summary JSON file is a copy). */
export function jobRunsTable(): TableLayout {
  const counts = ["read", "written", "deadLettered", "duplicates"].map((name) =>
    column(name, "long", false, "Records so far; read = written + deadLettered + duplicates."),
  );
  const columns = [
    column("runId", "string", false, "The run (pipelines/run-id.ts)."),
    column("job", "string", false, "batch, stream, replay, score, …"),
    column("schema", "string", false, "The schema the run read."),
    column("startedAt", "timestamp", false, "When the run started."),
    column("finishedAt", "timestamp", false, "When the row was last updated (the run's end once it ended)."),
    ...counts,
    column("byTable", "string", true, "Rows written per table, as JSON."),
    column("byReason", "string", true, "Dead letters per reason, as JSON."),
    column("uncounted", "long", true, "Records whose number is unknowable (a corrupt block with no count)."),
    column("status", "string", true, "running, finished, failed or abandoned."),
    column("owner", "string", true, "host:pid of the process running it, to tell a killed run."),
  ];
  return { name: JOB_RUNS_TABLE, columns, primaryKey: ["runId"], clusterBy: [], jsonColumns: ["byTable", "byReason"] };
}

/**
 * `monitoring`: one row per metric of a monitoring run over one scope of a model version's serving data (a day),
 * replaced as a whole when the scope is monitored again. Partitioned by the scope's start.
 */
export function monitoringTable(): TableLayout {
  const columns = [
    column("model", "string", false, "Registered model name."),
    column("version", "long", false, "Registered model version."),
    column("table_name", "string", false, "The events table monitored."),
    column("scope", "string", false, "What the row covers: day (or an hourly window)."),
    column("scope_start", "timestamp", false, "The scope's first instant."),
    column("scope_end", "timestamp", false, "The first instant after the scope."),
    column("feature", "string", true, "A model feature, prediction, a dead-letter reason, or null (volume)."),
    column("metric", "string", false, "drift.jensen_shannon, drift.l_infinity or quality.*."),
    column("value", "double", false, "The metric's value."),
    column("threshold", "double", false, "Above it the metric alerts (WARNING)."),
    column("error_threshold", "double", false, "Above it the alert is an ERROR."),
    column("alert", "boolean", false, "Whether the value is above its threshold."),
    column("severity", "string", true, "WARNING, ERROR, or null without an alert."),
    column("rows", "long", false, "How many values the metric was computed on."),
    column("run_id", "string", false, "The monitoring run that wrote the row."),
    column("computed_at", "timestamp", false, "When the run computed it."),
  ];
  return {
    name: MONITORING_TABLE,
    columns,
    primaryKey: [],
    partitionBy: "scope_start",
    clusterBy: ["model", "metric"],
  };
}

/** `<table>_predictions`: what batch (and stream) scoring writes, one row per event and model version. */
export function predictionsTableName(contract: Contract): string {
  return `${contract.table}_predictions`;
}

/** Partitioned by the event's day, keyed by (event, model, version): rescoring with the same version adds nothing. */
export function predictionsTable(contract: Contract): TableLayout {
  const columns = [
    column("event_id", "string", false, "The scored event's id (the events table's id field)."),
    column("event_time", "timestamp", false, "The scored event's time: the day partition."),
    column("prediction", "double", false, "The model's prediction (never NaN: unscorable events are dead letters)."),
    column("model", "string", false, "Registered model name."),
    column("model_version", "long", false, "Registered version that made the prediction."),
    column("score_run_id", "string", false, "The scoring run."),
    column("scored_at", "timestamp", false, "When it was scored."),
  ];
  return {
    name: predictionsTableName(contract),
    columns,
    primaryKey: ["event_id", "model", "model_version"],
    partitionBy: "event_time",
    clusterBy: ["model", "model_version"],
  };
}

// Feature columns are nullable: a feature may be undefined for some events (e.g. computed from an optional field),
// and a missing value should not make the whole row unwritable.
function featureColumn(feature: FeatureColumn): FieldSpec {
  return column(feature.name, feature.kind, true, feature.doc);
}

function column(name: string, kind: ScalarKind, nullable: boolean, doc?: string): FieldSpec {
  return { name, path: name, kind, nullable, constraints: {}, ...(doc === undefined ? {} : { doc }) };
}
