/**
 * The `models` table of the warehouse, in DuckDB's and BigQuery's SQL: one row per registered version, its aliases
 * as a JSON list, its card and metrics as JSON text (the same column types in both warehouses). Pure text.
 */
import type { FeatureSqlDialect } from "../../io/feature-query";

export const MODELS_TABLE = "models";

export interface ModelRow {
  name: string;
  version: number;
  uri: string;
  schema: string;
  schemaVersion: number | null;
  registeredAt: string;
  aliases: string[];
  /** sha256 of model.json: registering the same model again finds this version instead of adding one. */
  sha256: string;
  metrics: string;
  card: string;
}

export function modelsTableDdl(sql: FeatureSqlDialect): string {
  const [text, int, time] =
    sql.kind === "duckdb" ? ["VARCHAR", "INTEGER", "TIMESTAMPTZ"] : ["STRING", "INT64", "TIMESTAMP"];
  const columns = [
    `name ${text} NOT NULL`,
    `version ${int} NOT NULL`,
    `uri ${text} NOT NULL`,
    `${sql.ident("schema")} ${text}`,
    `schema_version ${int}`,
    `registered_at ${time} NOT NULL`,
    `aliases ${text} NOT NULL`,
    `sha256 ${text} NOT NULL`,
    `metrics ${text}`,
    `card ${text}`,
  ];
  const key = sql.kind === "duckdb" ? ", PRIMARY KEY (name, version)" : "";
  return `CREATE TABLE IF NOT EXISTS ${sql.table(MODELS_TABLE)} (${columns.join(", ")}${key})`;
}

export function selectModelsSql(sql: FeatureSqlDialect, name?: string): string {
  const where = name === undefined ? "" : ` WHERE name = ${sql.literal(name)}`;
  const time =
    sql.kind === "duckdb"
      ? `strftime(registered_at, '%Y-%m-%dT%H:%M:%S.%gZ')`
      : `FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E3SZ', registered_at)`;
  return `SELECT name, version, uri, ${sql.ident("schema")} AS ${sql.ident("schema")}, schema_version, ${time} AS registered_at, aliases, sha256, metrics, card FROM ${sql.table(MODELS_TABLE)}${where} ORDER BY name, version`;
}

export function insertModelSql(sql: FeatureSqlDialect, row: ModelRow): string {
  const values = [
    sql.literal(row.name),
    String(row.version),
    sql.literal(row.uri),
    sql.literal(row.schema),
    row.schemaVersion === null ? "NULL" : String(row.schemaVersion),
    `TIMESTAMP ${sql.literal(row.registeredAt)}`,
    sql.literal(JSON.stringify(row.aliases)),
    sql.literal(row.sha256),
    sql.literal(row.metrics),
    sql.literal(row.card),
  ];
  return `INSERT INTO ${sql.table(MODELS_TABLE)} (name, version, uri, ${sql.ident("schema")}, schema_version, registered_at, aliases, sha256, metrics, card) VALUES (${values.join(", ")})`;
}

/** Sets the aliases of each listed version (an alias moves: the caller lists both the old holder and the new one). */
export function setAliasesSql(sql: FeatureSqlDialect, name: string, aliases: Map<number, string[]>): string[] {
  return [...aliases].map(
    ([version, list]) =>
      `UPDATE ${sql.table(MODELS_TABLE)} SET aliases = ${sql.literal(JSON.stringify(list))} WHERE name = ${sql.literal(name)} AND version = ${version}`,
  );
}
