/**
 * DuckDB `CREATE TABLE IF NOT EXISTS` statements for the same tables as `bigquery.ts` (the local warehouse).
 *
 * Timestamps are TIMESTAMPTZ: like BigQuery's TIMESTAMP it is an absolute instant, so an ISO string with an offset
 * is stored as the instant it names; a plain TIMESTAMP would be a wall-clock reading whose meaning depends on the
 * session's zone. Partitioning and clustering have no DuckDB counterpart and are left out.
 */
import type { Contract, FieldSpec, WindowFeatureSpec } from "./contract";
import { SchemaError } from "./schema-error";
import {
  DEAD_LETTER_TABLE,
  deadLetterTable,
  eventsTable,
  jobRunsTable,
  monitoringTable,
  predictionsTable,
  type TableLayout,
  windowTable,
} from "./tables";

const TYPES: Record<string, string> = {
  string: "VARCHAR",
  int: "INTEGER",
  long: "BIGINT",
  float: "FLOAT",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  bytes: "BLOB",
  timestamp: "TIMESTAMPTZ",
  date: "DATE",
};
const MAX_DECIMAL_PRECISION = 38;
const NOT_NULL = " NOT NULL";

/** The events table, keyed by the contract's id field. */
export function eventsTableDdl(contract: Contract): string {
  return createTable(eventsTable(contract));
}

/** The `<table>_<window>` table, keyed by (key, window_start) so a recomputed window replaces its row. */
export function windowTableDdl(contract: Contract, window: WindowFeatureSpec): string {
  return createTable(windowTable(contract, window));
}

export function predictionsTableDdl(contract: Contract): string {
  return createTable(predictionsTable(contract));
}

export function deadLetterTableDdl(name: string = DEAD_LETTER_TABLE): string {
  return createTable(deadLetterTable(name));
}

/** Adds the dead-letter table's nullable columns that a table created by an earlier version lacks. */
export function deadLetterColumnsDdl(name: string = DEAD_LETTER_TABLE): string[] {
  return nullableColumnsDdl(deadLetterTable(name));
}

export function jobRunsTableDdl(): string {
  return createTable(jobRunsTable());
}

export function monitoringTableDdl(): string {
  return createTable(monitoringTable());
}

/** Adds the `job_runs` nullable columns that a table created by an earlier version lacks. */
export function jobRunsColumnsDdl(): string[] {
  return nullableColumnsDdl(jobRunsTable());
}

function nullableColumnsDdl(layout: TableLayout): string[] {
  return layout.columns
    .filter((c) => c.nullable)
    .map(
      (c) =>
        `ALTER TABLE ${quoteIdentifier(layout.name)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(c.name)} ${columnType(layout, c)}`,
    );
}

/** Identifiers are always quoted: column names such as `timestamp` or `date` are keywords. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function createTable(layout: TableLayout): string {
  const lines = layout.columns.map(
    (c) => `${quoteIdentifier(c.name)} ${columnType(layout, c)}${c.nullable ? "" : NOT_NULL}`,
  );
  if (layout.primaryKey.length > 0) lines.push(`PRIMARY KEY (${layout.primaryKey.map(quoteIdentifier).join(", ")})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(layout.name)} (\n  ${lines.join(",\n  ")}\n);\n`;
}

// Nested values cannot carry NOT NULL in DuckDB; nullability inside a STRUCT or LIST is the validator's job.
function columnType(layout: TableLayout, spec: FieldSpec): string {
  return layout.jsonColumns?.includes(spec.name) ? "JSON" : duckDbType(spec);
}

function duckDbType(spec: FieldSpec): string {
  if (spec.kind === "record") {
    const members = (spec.fields ?? []).map((f) => `${quoteIdentifier(f.name)} ${duckDbType(f)}`);
    return `STRUCT(${members.join(", ")})`;
  }
  if (spec.kind === "array" && spec.items) return `${duckDbType(spec.items)}[]`;
  if (spec.kind === "decimal" && spec.decimal) return decimalType(spec.path, spec.decimal);
  return TYPES[spec.kind];
}

function decimalType(path: string, { precision, scale }: { precision: number; scale: number }): string {
  if (precision > MAX_DECIMAL_PRECISION) {
    throw new SchemaError("unsupported", `${path}: DuckDB decimals hold at most ${MAX_DECIMAL_PRECISION} digits`);
  }
  return `DECIMAL(${precision}, ${scale})`;
}
