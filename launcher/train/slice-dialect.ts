import { col, str, type DatasetRef } from "../../io/gcp/bigquery/bigquery-sql";
import type { WarehouseTarget } from "../warehouse";

/**
 * The few SQL spellings in which the lineage queries differ between the embedded warehouse (DuckDB) and BigQuery
 * (GoogleSQL). `io/gcp/bigquery/bigquery-sql.ts` is pure text (no Google client), so the local path may import it.
 */
export interface SliceDialect {
  readonly kind: WarehouseTarget["kind"];
  /** A quoted identifier (columns and bare table names: `date`, `rows` and `schema` are keywords somewhere). */
  ident(name: string): string;
  literal(value: string): string;
  /** True for rows whose timestamp `column` falls on `day` (YYYY-MM-DD) in UTC, as the warehouse partitions them. */
  onDay(column: string, day: string): string;
  /** An expression as text (timestamps sort as text in both warehouses' formats). */
  text(expr: string): string;
  /** A query whose rows (`{name}`) are those of `tables` that exist: Dataflow writes no `job_runs`, for one. */
  tablesPresent(tables: readonly string[]): string;
  /** Where a cloud trainer reads `table`: Vertex AI's BigQuery URI; none for the embedded warehouse (exported locally). */
  dataUri?(table: string): string;
}

export const DUCKDB_DIALECT: SliceDialect = {
  kind: "duckdb",
  ident: (name) => `"${name.replace(/"/g, '""')}"`,
  literal: duckDbLiteral,
  onDay: (column, day) => `strftime(${column}, '%Y-%m-%d') = ${duckDbLiteral(day)}`,
  text: (expr) => `CAST(${expr} AS VARCHAR)`,
  tablesPresent: (tables) =>
    `SELECT table_name AS "name" FROM information_schema.tables WHERE table_name IN (${tables.map(duckDbLiteral).join(", ")})`,
};

/**
 * GoogleSQL over one dataset. `DATE(ts) = 'day'` is the UTC day and lets BigQuery prune the day partitions.
 * INFORMATION_SCHEMA is named with its dataset: the warehouse's bare-name resolution does not reach it.
 */
export function bigQueryDialect(ref: DatasetRef): SliceDialect {
  return {
    kind: "bigquery",
    ident: col,
    literal: str,
    onDay: (column, day) => `DATE(${column}) = ${str(day)}`,
    text: (expr) => `CAST(${expr} AS STRING)`,
    tablesPresent: (tables) =>
      `SELECT table_name AS name FROM \`${ref.projectId}.${ref.dataset}\`.INFORMATION_SCHEMA.TABLES WHERE table_name IN (${tables.map(str).join(", ")})`,
    dataUri: (table) => `bq://${ref.projectId}.${ref.dataset}.${table}`,
  };
}

/** The dialect of the warehouse `rox train` reads. */
export function sliceDialectOf(target: WarehouseTarget): SliceDialect {
  return target.kind === "duckdb" ? DUCKDB_DIALECT : bigQueryDialect(target);
}

function duckDbLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
