/** The dead-letter side of a replay on DuckDB: exporting a run's live dead letters, and updating those it replayed. */
import { DEAD_LETTER_TABLE } from "../../schemas/tables";
import { reasonColumns, storedDeadLetter, type DeadLetterSelection } from "../../transforms/replay";
import { STORED_DEAD_LETTER_COLUMNS, STORED_DEAD_LETTER_ORDER } from "../../transforms/replay";
import { JsonLinesAppender } from "../files/json-lines";
import type { DeadLetterExport } from "../ports";

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** Not settled by a replay: never replayed, or failed again. */
export const LIVE_DEAD_LETTER = `("replayOutcome" IS NULL OR "replayOutcome" = 'failed_again')`;

const q = (name: string) => `"${name}"`;

/** Every value is bound: the run id and reason are whatever the user typed. */
export async function exportLiveDeadLetters(
  query: Query,
  selection: DeadLetterSelection,
  out: string,
): Promise<DeadLetterExport> {
  const params: unknown[] = [selection.runId];
  const where = [`${q("runId")} = $1`, LIVE_DEAD_LETTER];
  const bind = (condition: (n: string) => string, value: unknown) => where.push(condition(`$${params.push(value)}`));
  if (selection.reason !== undefined) {
    const { errorStage, errorClass } = reasonColumns(selection.reason);
    bind((p) => `${q("errorClass")} = ${p}`, errorClass);
    if (errorStage !== undefined) bind((p) => `${q("errorStage")} = ${p}`, errorStage);
  }
  if (selection.sinceMs !== undefined) bind((p) => `epoch_ms(${q("timestamp")}) >= ${p}`, selection.sinceMs);
  const column = (c: string) => (c === "payloadBytes" ? `to_base64(${q(c)}) AS ${q(c)}` : q(c));
  const columns = STORED_DEAD_LETTER_COLUMNS.map(column).join(", ");
  const order = STORED_DEAD_LETTER_ORDER.map(q).join(", ");
  const sql = `SELECT ${columns} FROM ${DEAD_LETTER_TABLE} WHERE ${where.join(" AND ")} ORDER BY ${order}`;
  const rows = await query(sql, params);
  const appender = new JsonLinesAppender(out);
  rows.forEach((row) => appender.append(storedDeadLetter(row)));
  appender.close();
  const ofRun = `FROM ${DEAD_LETTER_TABLE} WHERE ${q("runId")} = $1`;
  const schemasSql = `SELECT DISTINCT ${q("schemaName")} AS name ${ofRun} ORDER BY name`;
  const schemas = await query(schemasSql, [selection.runId]);
  return { rows: rows.length, runSchemas: schemas.map((r) => String(r.name)) };
}

const SETTLED_COLUMNS = {
  runId: "VARCHAR",
  sourceUri: "VARCHAR",
  sourceLine: "BIGINT",
  messageId: "VARCHAR",
  selectedClass: "VARCHAR",
  errorStage: "VARCHAR",
  errorClass: "VARCHAR",
  errorMessage: "VARCHAR",
  replayedBy: "VARCHAR",
  replayedAt: "TIMESTAMPTZ",
  replayOutcome: "VARCHAR",
};

const SET_COLUMNS = ["errorStage", "errorClass", "errorMessage", "replayedBy", "replayedAt", "replayOutcome"];

/** The same row: its run, its source, and the reason it was selected with. */
const SAME_ROW = [
  `d.${q("runId")} = r.${q("runId")}`,
  `d.${q("sourceUri")} = r.${q("sourceUri")}`,
  `d.${q("sourceLine")} IS NOT DISTINCT FROM r.${q("sourceLine")}`,
  `d.${q("messageId")} IS NOT DISTINCT FROM r.${q("messageId")}`,
  `d.${q("errorClass")} = r.${q("selectedClass")}`,
].join(" AND ");

/**
 * Updates the live rows a replay chunk settled or saw fail again (inside the chunk's transaction); fails — so the
 * transaction rolls back — unless exactly the `rows` it selected are still live.
 */
export async function updateReplayedDeadLetters(
  run: (sql: string) => Promise<number>,
  replayed: { path: string; rows: number },
): Promise<number> {
  const columns =
    "{" +
    Object.entries(SETTLED_COLUMNS)
      .map(([name, type]) => `'${name}': '${type}'`)
      .join(", ") +
    "}";
  const read = `read_json(${literal(replayed.path)}, format = 'newline_delimited', columns = ${columns})`;
  await run(`CREATE OR REPLACE TEMP TABLE rox_replayed AS SELECT * FROM ${read}`);
  const set = SET_COLUMNS.map((c) => `${q(c)} = r.${q(c)}`).join(", ");
  const live = LIVE_DEAD_LETTER.replace(/"replayOutcome"/g, `d."replayOutcome"`);
  const update = `UPDATE ${DEAD_LETTER_TABLE} AS d SET ${set} FROM rox_replayed AS r WHERE ${SAME_ROW} AND ${live}`;
  const changed = await run(update);
  if (changed !== replayed.rows) {
    const why = "another replay of the run got in between — run it again";
    throw new Error(`replay: ${replayed.rows} live dead letters were selected, ${changed} are still live; ${why}`);
  }
  return changed;
}

/** A file path as a SQL string literal (paths are ours, not data). */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
