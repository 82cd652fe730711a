/** How each target's SQL reads the tables back (the only per-target part of the warehouse suite). */
import type { WarehouseDialect } from "./warehouse.read-back";

export const duckDbDialect: WarehouseDialect = {
  q: (name) => `"${name}"`,
  epochMs: (column) => `epoch_ms("${column}")`,
  day: (column) => `strftime("${column}", '%Y-%m-%d')`,
  columnsSql: (table) =>
    `SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
  partitioned: false,
};

/**
 * `dataset.INFORMATION_SCHEMA` without the project: bqemulator 1.4.0 fails on a project-qualified view name such as
 * `rox-test.ds.INFORMATION_SCHEMA.COLUMNS` ("Syntax error: Unexpected identifier "atable""); BigQuery takes the job's project.
 */
export function bigQueryDialect(dataset: string): WarehouseDialect {
  const columns = "column_name, is_nullable, is_partitioning_column, clustering_ordinal_position";
  return {
    q: (name) => `\`${name}\``,
    epochMs: (column) => `UNIX_MILLIS(\`${column}\`)`,
    day: (column) => `CAST(DATE(\`${column}\`) AS STRING)`,
    columnsSql: (table) =>
      `SELECT ${columns} FROM \`${dataset}.INFORMATION_SCHEMA.COLUMNS\` WHERE table_name = '${table}' ORDER BY ordinal_position`,
    partitioned: true,
  };
}
