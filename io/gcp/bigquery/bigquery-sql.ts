/**
 * GoogleSQL text for the BigQuery warehouse (pure). No data value is ever written into SQL text: a single statement
 * binds query parameters (`@name`); a multi-statement script reads its values from staging tables loaded just before,
 * because bqemulator 1.4.0 binds no parameters inside a script ("Values were not provided for the following prepared
 * statement parameters"). Identifiers come from validated schemas and ids, and are always quoted; whole numbers the
 * job counted itself (`int`) are the only literals.
 */

/** Where the warehouse's tables live. */
export interface DatasetRef {
  projectId: string;
  dataset: string;
}

/** A quoted column name (`date`, `timestamp`, `read` are keywords or function names). */
export function col(name: string): string {
  if (/[`\\\n]/.test(name)) throw new Error(`column name ${JSON.stringify(name)} cannot be quoted`);
  return `\`${name}\``;
}

/** A fully qualified, quoted table name. */
export function tableRef(ref: DatasetRef, table: string): string {
  return `\`${ref.projectId}.${ref.dataset}.${table}\``;
}

/** A string literal: backslash escapes, since GoogleSQL has no doubled-quote escape (`'it''s'` reads as two literals). */
export function str(value: string): string {
  const escaped = value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
  return `'${escaped}'`;
}

/** A whole number written into SQL; anything else is refused rather than written inexactly. */
export function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`${value} is not a whole number`);
  return String(value);
}

/** Days a chunk replaces: their list, and the staging table (fully qualified, quoted) that holds them as `day` DATEs. */
export interface ReplaceDays {
  days: string[];
  table: string;
}

/** `DATE(column) IN (the staged days)`: a day of a timestamp column is its UTC date, as in the DuckDB warehouse. */
export function onDays(column: string, replace: ReplaceDays, alias?: string): string {
  return `DATE(${alias ? `${alias}.` : ""}${col(column)}) IN (SELECT ${col("day")} FROM ${replace.table})`;
}

/** The body of a transaction job: nothing of it stays if any statement fails. */
export function transaction(statements: string[]): string {
  return ["BEGIN TRANSACTION;", ...statements.map((s) => `${s};`), "COMMIT TRANSACTION;"].join("\n");
}

/**
 * Fails the script (and so rolls back its transaction) unless `countSql` still yields `expected`: the counts a summary
 * records are taken before the commit, and this keeps them exact if another writer got in between.
 */
export function expectCount(countSql: string, expected: number, what: string): string {
  return `SELECT IF((${countSql}) = ${int(expected)}, 0, ERROR(${str(`rox: ${what} changed since they were counted; retry the chunk`)}))`;
}

/** Columns copied from a staging row: base64-staged BYTES decoded again. */
export function stagedColumn(alias: string, name: string, bytes: boolean): string {
  return bytes ? `FROM_BASE64(${alias}.${col(name)})` : `${alias}.${col(name)}`;
}
