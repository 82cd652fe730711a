/**
 * Names a schema may not take. Tables: the platform's own (`dead_letters`, `job_runs`, the model registry and
 * monitoring tables), the shapes of tables it derives (`<table>_predictions`, a run's staging tables
 * `<table>__run_<id>`) and its working tables (`rox_*`, `_rox_*`); a schema that took one would break every later run
 * of every schema.
 * Columns: the events table's metadata columns, names BigQuery reserves, and `__proto__` (a JavaScript object cannot
 * hold it as data, so its values would silently vanish). All compared without case: DuckDB and BigQuery ignore it.
 */
import { DEAD_LETTER_TABLE } from "./tables";

/** The tables the platform writes whatever the schema (io/*: `job_runs`; the model half: `models`, `monitoring`). */
export const SYSTEM_TABLES: readonly string[] = [DEAD_LETTER_TABLE, "job_runs", "models", "monitoring"];
const TABLE_SUFFIXES = ["_predictions"];
const TABLE_INFIXES = ["__run_"];
const TABLE_PREFIXES = ["rox_", "_rox_"];
// BigQuery: a table name has at most 1,024 characters; DuckDB has no lower limit.
const MAX_TABLE_LENGTH = 1024;

/** Columns every events table has after the event's fields. */
export const EVENT_METADATA_COLUMNS: readonly string[] = ["_source", "_run_id", "_ingested_at"];
// cloud.google.com/bigquery/docs/schemas#column_names: prefixes BigQuery keeps for itself.
const BIGQUERY_COLUMN_PREFIXES = ["_table_", "_file_", "_partition", "_row_timestamp", "__root__", "_colidentifier"];
const MAX_COLUMN_LENGTH = 300;
/** Not data in a JavaScript object: assigning it sets the prototype instead. */
const PROTOTYPE_KEYS = ["__proto__"];

/** Why a schema may not write a table of this name, or undefined when it may. */
export function reservedTableProblem(table: string): string | undefined {
  const name = table.toLowerCase();
  if (SYSTEM_TABLES.includes(name)) {
    return `"${table}" is a table the platform writes itself (reserved: ${SYSTEM_TABLES.join(", ")})`;
  }
  if (PROTOTYPE_KEYS.includes(name)) return prototypeKeyProblem(table);
  const suffix = TABLE_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `"${table}" ends with ${suffix}, the name of a model's predictions table`;
  const infix = TABLE_INFIXES.find((s) => name.includes(s));
  if (infix) return `"${table}" contains ${infix}, the mark of a run's staging tables`;
  const prefix = TABLE_PREFIXES.find((s) => name.startsWith(s));
  if (prefix) return `"${table}" starts with ${prefix}, kept for the platform's working tables`;
  if (table.length > MAX_TABLE_LENGTH) return `"${table.slice(0, 40)}…" has over ${MAX_TABLE_LENGTH} characters`;
  return undefined;
}

/** Why a column (an event field at any depth, a feature or window column) may not have this name, or undefined. */
export function reservedColumnProblem(column: string): string | undefined {
  const name = column.toLowerCase();
  if (PROTOTYPE_KEYS.includes(name)) return prototypeKeyProblem(column);
  const prefix = BIGQUERY_COLUMN_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `"${column}" starts with ${prefix}, which BigQuery reserves`;
  if (column.length > MAX_COLUMN_LENGTH) return `"${column.slice(0, 40)}…" has over ${MAX_COLUMN_LENGTH} characters`;
  return undefined;
}

/** The first name that repeats another when case is ignored (DuckDB and BigQuery would see one column twice). */
export function caseInsensitiveDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name.toLowerCase())) return name;
    seen.add(name.toLowerCase());
  }
  return undefined;
}

/** `__proto__` as a name (a window's, too: its partial aggregates are keyed by it): refused, never silently dropped. */
export function prototypeKeyProblem(name: string): string | undefined {
  if (!PROTOTYPE_KEYS.includes(name.toLowerCase())) return undefined;
  return `"${name}" is not a usable name (a JavaScript object cannot hold it as data)`;
}
