/** Exporting a run's live dead letters from BigQuery for a replay: page by page, into a JSON-lines file. */
import { DEAD_LETTER_TABLE } from "../../../schemas/tables";
import { storedDeadLetter, type DeadLetterSelection } from "../../../transforms/replay";
import { JsonLinesAppender } from "../../files/json-lines";
import type { DeadLetterExport } from "../../ports";
import type { BigQueryJobs } from "./bigquery-client";
import { plainRow } from "./bigquery-rows";
import { deadLettersSpec } from "./bigquery-tables";
import { liveDeadLettersSql, runSchemasSql } from "./bigquery-replay";

/** A dataset without a dead-letter table has no dead letters; one an earlier version made gets the replay columns. */
export async function exportLiveDeadLetters(
  jobs: BigQueryJobs,
  selection: DeadLetterSelection,
  out: string,
): Promise<DeadLetterExport> {
  if (!(await jobs.tableExists(DEAD_LETTER_TABLE))) return { rows: 0, runSchemas: [] };
  await jobs.ensureTable(DEAD_LETTER_TABLE, deadLettersSpec());
  const { sql, params } = liveDeadLettersSql(jobs.target, DEAD_LETTER_TABLE, selection);
  const appender = new JsonLinesAppender(out);
  try {
    const rows = jobs.eachRow(sql, "export the live dead letters", { params });
    for await (const row of rows) appender.append(storedDeadLetter(plainRow(row)));
  } finally {
    appender.close();
  }
  const byRun = { params: { runId: selection.runId } };
  const schemas = await jobs.run(runSchemasSql(jobs.target, DEAD_LETTER_TABLE), "find the run's schemas", byRun);
  return { rows: appender.count, runSchemas: schemas.map((r) => String(r.name)) };
}
