/**
 * An event contract: everything the jobs need to know about one event type, derived from its `.avsc` file.
 * The schema's own `rox.*` attributes declare what Avro cannot say (id, event time, constraints, features).
 */
export type ScalarKind =
  "string" | "int" | "long" | "float" | "double" | "boolean" | "bytes" | "timestamp" | "date" | "decimal";

export interface FieldConstraints {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** Numbers; for timestamps an ISO-8601 instant or "now+<n>d" / "now-<n>d" relative to the run's clock. */
  min?: number | string;
  max?: number | string;
  /** Name of a sibling field this one must differ from. */
  notEqual?: string;
  /** Allowed values (string fields). */
  oneOf?: string[];
}

export interface FieldSpec {
  name: string;
  /** Dotted path from the record root, e.g. "route.origin". */
  path: string;
  kind: ScalarKind | "record" | "array";
  nullable: boolean;
  doc?: string;
  constraints: FieldConstraints;
  /** For kind "record": its fields. For kind "array": `items` describes one element. */
  fields?: FieldSpec[];
  items?: FieldSpec;
  /** For kind "timestamp": the Avro logical type's unit (numeric inputs are read in this unit). */
  timestampUnit?: "millis" | "micros";
  /** The Avro `default`, used when the field is absent (so a field added with a default accepts old events). */
  default?: unknown;
  /** For kind "decimal": the Avro logical type's digits. */
  decimal?: { precision: number; scale: number };
}

export interface FeatureColumn {
  name: string;
  kind: ScalarKind;
  doc?: string;
}

/** A keyed, tumbling event-time window aggregate, e.g. per origin over 1 hour. */
export interface WindowFeatureSpec {
  /** Suffix of its table: `<table>_<name>`, e.g. "origin_hourly". */
  name: string;
  /** Field of the event the aggregate is keyed by. */
  key: string;
  sizeSeconds: number;
  columns: FeatureColumn[];
  doc?: string;
}

export interface FeatureSpec {
  /** Name of the feature module in transforms/features (registered by that name). */
  module: string;
  /** Per-event feature columns appended to the events table. */
  event: FeatureColumn[];
  windows: WindowFeatureSpec[];
}

export interface Contract {
  /** Schema name as used on the CLI (`--schema flights`): the file stem of `<name>.avsc`. */
  name: string;
  /** Full Avro name, e.g. "rox.events.Flight". */
  avroName: string;
  /** Schema version (the `rox.version` attribute), recorded in lineage. */
  version: number;
  /** Events table name (`rox.table`, default: the schema name). */
  table: string;
  idField: string;
  eventTimeField: string;
  /** Columns the events table is clustered by (`rox.clustering`). */
  clustering: string[];
  fields: FieldSpec[];
  features?: FeatureSpec;
  /** The parsed avsc Type, for encoding/decoding Avro and compatibility checks. */
  avroType: unknown;
  /** The raw schema JSON. */
  schemaJson: Record<string, unknown>;
  /** The `.avsc` file it was loaded from, when loaded from a file. */
  sourcePath?: string;
}

/**
 * A validated event: field values keyed by name; timestamps as epoch milliseconds (UTC), dates as days since the
 * epoch, decimals as strings. `renderEvent` (transforms/normalize.ts) renders one for output as ISO-8601 text.
 */
export type EventRecord = Record<string, unknown>;
