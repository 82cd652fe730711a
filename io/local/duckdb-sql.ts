/** Quotes an identifier (names come from validated schemas, quoting keeps reserved words safe): the DDL's own rule. */
export { quoteIdentifier as q } from "../../schemas/duckdb";

/** A SQL string literal. */
export function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
