/**
 * The streaming job's events on BigQuery: the job appends every event to `<events table>__appended` (a re-sent id
 * that Pub/Sub's id dedupe let through is appended again), and the events table is a view of each id's first copy
 * (`firstCopiesSql`), so readers see each event once, as in the local job's table.
 */
import type { Contract } from "../../schemas/contract";
import { bigQueryTableSchema } from "../../schemas/bigquery";
import { firstCopiesSql } from "../../transforms/first-copy-sql";

const quote = (name: string) => `\`${name}\``;

export function appendedEventsTableName(contract: Contract): string {
  return `${contract.table}__appended`;
}

/** The contract as the appended table's owner: its events table renamed, no window tables. */
export function appendedEventsContract(contract: Contract): Contract {
  const features = contract.features && { ...contract.features, windows: [] };
  return { ...contract, table: appendedEventsTableName(contract), features };
}

/** The events table as a view of the first copies (`project.dataset` in GoogleSQL). */
export function eventsViewSql(dataset: string, contract: Contract): string {
  const columns = bigQueryTableSchema(contract).fields.map((field) => field.name);
  const appended = `\`${dataset}.${appendedEventsTableName(contract)}\``;
  const view = firstCopiesSql(columns, contract.idField, appended, quote);
  return `CREATE OR REPLACE VIEW \`${dataset}.${contract.table}\` AS ${view}`;
}
