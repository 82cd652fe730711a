/**
 * The dead-letter side of a replay in BigQuery (pure SQL): selecting a run's live dead letters (bound parameters), and
 * the commit script's update of those a chunk replayed (values from a staging table, as every script reads them).
 */
import type { BigQueryField } from "../../../schemas/bigquery";
import { reasonColumns, type DeadLetterSelection } from "../../../transforms/replay";
import { STORED_DEAD_LETTER_COLUMNS, STORED_DEAD_LETTER_ORDER } from "../../../transforms/replay";
import { col, expectCount, tableRef, type DatasetRef } from "./bigquery-sql";

/** A query and the values it binds (`@name`). */
export interface BoundSql {
  sql: string;
  params: Record<string, unknown>;
}

/** Not settled by a replay: never replayed, or failed again. */
export function liveDeadLetter(alias: string): string {
  return `(${alias}.${col("replayOutcome")} IS NULL OR ${alias}.${col("replayOutcome")} = 'failed_again')`;
}

/** The live dead letters of the selection, by source; binds `@runId`, `@errorClass`, `@errorStage`, `@sinceMs`. */
export function liveDeadLettersSql(ref: DatasetRef, table: string, selection: DeadLetterSelection): BoundSql {
  const params: Record<string, unknown> = { runId: selection.runId };
  const where = [`d.${col("runId")} = @runId`, liveDeadLetter("d")];
  if (selection.reason !== undefined) {
    const { errorStage, errorClass } = reasonColumns(selection.reason);
    where.push(`d.${col("errorClass")} = @errorClass`);
    params.errorClass = errorClass;
    if (errorStage !== undefined) {
      where.push(`d.${col("errorStage")} = @errorStage`);
      params.errorStage = errorStage;
    }
  }
  if (selection.sinceMs !== undefined) {
    where.push(`UNIX_MILLIS(d.${col("timestamp")}) >= @sinceMs`);
    params.sinceMs = selection.sinceMs;
  }
  const columns = STORED_DEAD_LETTER_COLUMNS.map((c) => `d.${col(c)}`).join(", ");
  const order = STORED_DEAD_LETTER_ORDER.map((c) => `d.${col(c)}`).join(", ");
  const sql = `SELECT ${columns} FROM ${tableRef(ref, table)} AS d WHERE ${where.join(" AND ")} ORDER BY ${order}`;
  return { sql, params };
}

/** Binds `@runId`. */
export function runSchemasSql(ref: DatasetRef, table: string): string {
  const name = col("schemaName");
  return `SELECT DISTINCT ${name} AS name FROM ${tableRef(ref, table)} WHERE ${col("runId")} = @runId ORDER BY name`;
}

function field(name: string, type: string, mode: "REQUIRED" | "NULLABLE" = "REQUIRED"): BigQueryField {
  return { name, type, mode };
}

/** The staging table of a replay chunk's `SettledDeadLetter` rows. */
export const SETTLED_FIELDS: BigQueryField[] = [
  field("runId", "STRING"),
  field("sourceUri", "STRING"),
  field("sourceLine", "INT64", "NULLABLE"),
  field("messageId", "STRING", "NULLABLE"),
  field("selectedClass", "STRING"),
  field("errorStage", "STRING"),
  field("errorClass", "STRING"),
  field("errorMessage", "STRING"),
  field("replayedBy", "STRING"),
  field("replayedAt", "TIMESTAMP"),
  field("replayOutcome", "STRING"),
];

const SET_COLUMNS = ["errorStage", "errorClass", "errorMessage", "replayedBy", "replayedAt", "replayOutcome"];

/** The same row: its run, its source, and the reason it was selected with. */
function sameRow(): string {
  const equal = ["runId", "sourceUri"].map((c) => `d.${col(c)} = r.${col(c)}`);
  const nullable = ["sourceLine", "messageId"].map((c) => `d.${col(c)} IS NOT DISTINCT FROM r.${col(c)}`);
  return [...equal, ...nullable, `d.${col("errorClass")} = r.${col("selectedClass")}`].join(" AND ");
}

/**
 * The commit script's statements for a replay chunk: fail (and so roll back) unless exactly the selected rows are still
 * live — another replay of the run may have settled them since — then update them in place.
 */
export function updateReplayedStatements(ref: DatasetRef, table: string, replayed: { stage: string; rows: number }) {
  const [target, stage] = [tableRef(ref, table), tableRef(ref, replayed.stage)];
  const from = `FROM ${target} AS d JOIN ${stage} AS r ON ${sameRow()} WHERE ${liveDeadLetter("d")}`;
  const set = SET_COLUMNS.map((c) => `${col(c)} = r.${col(c)}`).join(", ");
  return [
    expectCount(`SELECT COUNT(*) ${from}`, replayed.rows, "live dead letters of the replayed run"),
    `UPDATE ${target} AS d SET ${set} FROM ${stage} AS r WHERE ${sameRow()} AND ${liveDeadLetter("d")}`,
  ];
}
