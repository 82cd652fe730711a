/**
 * The scoring stream's predictions on BigQuery, kept as its events are (stream-events.ts): the job appends every
 * prediction to `<predictions table>__appended` — an event re-sent past Pub/Sub's id dedupe is scored again, so its
 * prediction is appended again — and `<table>_predictions` is a view of the first prediction of each (event, model,
 * version), the table's key (the earliest `scored_at`; ties by `score_run_id`), so readers see one prediction per
 * event and version, as the local job's and `rox score`'s tables hold.
 */
import type { Contract } from "../../schemas/contract";
import { bigQueryPredictionsTableSchema } from "../../schemas/bigquery";
import { predictionsTable, predictionsTableName } from "../../schemas/tables";
import { firstRowsSql } from "../../transforms/first-copy-sql";

const quote = (name: string) => `\`${name}\``;

export function appendedPredictionsTableName(contract: Contract): string {
  return `${predictionsTableName(contract)}__appended`;
}

/** The appended predictions, partitioned and clustered as `<table>_predictions` (`project.dataset`). */
export function appendedPredictionsTableSql(dataset: string, contract: Contract): string {
  const layout = predictionsTable(contract);
  const fields = bigQueryPredictionsTableSchema(contract).fields;
  const columns = fields.map((f) => `${quote(f.name)} ${f.type}${f.mode === "REQUIRED" ? " NOT NULL" : ""}`);
  return (
    `CREATE TABLE IF NOT EXISTS \`${dataset}.${appendedPredictionsTableName(contract)}\` (${columns.join(", ")}) ` +
    `PARTITION BY DATE(${quote(layout.partitionBy!)}) CLUSTER BY ${layout.clusterBy.map(quote).join(", ")}`
  );
}

/** `<table>_predictions` as the view of each (event, model, version)'s first prediction (`project.dataset`). */
export function predictionsViewSql(dataset: string, contract: Contract): string {
  const layout = predictionsTable(contract);
  const columns = bigQueryPredictionsTableSchema(contract).fields.map((field) => field.name);
  const appended = `\`${dataset}.${appendedPredictionsTableName(contract)}\``;
  const copies = { keys: layout.primaryKey, order: ["scored_at", "score_run_id"] };
  const view = firstRowsSql(columns, copies, appended, quote);
  return `CREATE OR REPLACE VIEW \`${dataset}.${layout.name}\` AS ${view}`;
}
