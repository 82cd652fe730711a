/**
 * Re-sent ids on a streaming job that only appends: each event is appended to `<events table>__appended`, and the
 * events table is a view of the first copy of each id (the earliest `_ingested_at`; ties by `_run_id`), as the local
 * job keeps the first and drops the rest. A run's duplicates are its appended copies that are not their id's first,
 * also when the first was appended by an earlier run (a restarted or updated job re-reading the subscription), as the
 * local job counts an id the table already holds. The streaming job's predictions are kept the same way, one per
 * (event, model, version) (`firstRowsSql`). Pure: the dialect's quoting is passed in.
 */

const COPY = "_copy";

/** Which rows are copies of one another (`keys`), and which copy comes first (`order`, ascending). */
export interface CopyIdentity {
  keys: readonly string[];
  order: readonly string[];
}

/** An appended event's copies: same id; the first ingested first, ties by run. */
function eventCopies(idField: string): CopyIdentity {
  return { keys: [idField], order: ["_ingested_at", "_run_id"] };
}

/** The appended rows numbered per copy identity, the first copy 1. */
function numberedCopies(copies: CopyIdentity, appendedTable: string, quote: (name: string) => string): string {
  return (
    `SELECT *, ROW_NUMBER() OVER (PARTITION BY ${copies.keys.map(quote).join(", ")} ` +
    `ORDER BY ${copies.order.map(quote).join(", ")}) AS ${quote(COPY)} FROM ${appendedTable}`
  );
}

/** `SELECT` of the events table: the given columns of each id's first copy. */
export function firstCopiesSql(
  columns: readonly string[],
  idField: string,
  appendedTable: string,
  quote: (name: string) => string,
): string {
  return firstRowsSql(columns, eventCopies(idField), appendedTable, quote);
}

/** `SELECT` of the given columns of each first copy, copies told apart by `copies` (e.g. a prediction's key). */
export function firstRowsSql(
  columns: readonly string[],
  copies: CopyIdentity,
  appendedTable: string,
  quote: (name: string) => string,
): string {
  const numbered = numberedCopies(copies, appendedTable, quote);
  return `SELECT ${columns.map(quote).join(", ")} FROM (${numbered}) WHERE ${quote(COPY)} = 1`;
}

/** One row, `duplicates`: the run's appended copies that are not their id's first. `runId` is a SQL literal. */
export function runDuplicatesSql(
  idField: string,
  appendedTable: string,
  runIdLiteral: string,
  quote: (name: string) => string,
): string {
  const numbered = numberedCopies(eventCopies(idField), appendedTable, quote);
  return (
    `SELECT COUNT(*) AS ${quote("duplicates")} FROM (${numbered}) ` +
    `WHERE ${quote("_run_id")} = ${runIdLiteral} AND ${quote(COPY)} > 1`
  );
}
