/**
 * Re-sent ids on a streaming job that only appends: each event is appended to `<events table>__appended`, and the
 * events table is a view of the first copy of each id (the earliest `_ingested_at`; ties by `_run_id`), as the local
 * job keeps the first and drops the rest. A run's duplicates are its appended copies that are not their id's first,
 * also when the first was appended by an earlier run (a restarted or updated job re-reading the subscription), as the
 * local job counts an id the table already holds. Pure: the dialect's quoting is passed in.
 */

const COPY = "_copy";

/** The appended rows numbered per id, the first copy 1. */
function numberedCopies(idField: string, appendedTable: string, quote: (name: string) => string): string {
  return (
    `SELECT *, ROW_NUMBER() OVER (PARTITION BY ${quote(idField)} ORDER BY ${quote("_ingested_at")}, ` +
    `${quote("_run_id")}) AS ${quote(COPY)} FROM ${appendedTable}`
  );
}

/** `SELECT` of the events table: the given columns of each id's first copy. */
export function firstCopiesSql(
  columns: readonly string[],
  idField: string,
  appendedTable: string,
  quote: (name: string) => string,
): string {
  const numbered = numberedCopies(idField, appendedTable, quote);
  return `SELECT ${columns.map(quote).join(", ")} FROM (${numbered}) WHERE ${quote(COPY)} = 1`;
}

/** One row, `duplicates`: the run's appended copies that are not their id's first. `runId` is a SQL literal. */
export function runDuplicatesSql(
  idField: string,
  appendedTable: string,
  runIdLiteral: string,
  quote: (name: string) => string,
): string {
  const numbered = numberedCopies(idField, appendedTable, quote);
  return (
    `SELECT COUNT(*) AS ${quote("duplicates")} FROM (${numbered}) ` +
    `WHERE ${quote("_run_id")} = ${runIdLiteral} AND ${quote(COPY)} > 1`
  );
}
