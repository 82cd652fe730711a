/**
 * Before the streaming job runs, each declared window needs its partials table (which the job's write would also
 * create) and the window table as a view over it, and the events table must be the view of first copies over the
 * appended events (stream-events.ts); a scoring stream's `<table>_predictions` the view of first predictions over the
 * appended ones (stream-predictions.ts). Runs through any BigQuery `query` (the warehouse's), so it has no Google
 * import. A window, events or predictions table that exists as a table (a local or batch run's, merged by their
 * commits) cannot be replaced by the view: refused, naming it.
 */
import type { Contract, WindowFeatureSpec } from "../../schemas/contract";
import { contractTables } from "../../io/gcp/bigquery/bigquery-tables";
import { RoxError } from "../../errors/rox-error";
import { windowTableName } from "../../transforms/window-rows";
import { windowPartialsSchema, windowPartialsTableName, windowViewSql } from "./window-partials";
import { loadContract } from "../../schemas/load";
import { appendedEventsContract, eventsViewSql } from "./stream-events";
import { appendedPredictionsTableSql, predictionsViewSql } from "./stream-predictions";
import { predictionsTableName } from "../../schemas/tables";

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

/** A window, events or predictions table exists as a table: the stream's view would replace rows others wrote. */
export class StreamWindowTableError extends RoxError {
  readonly kind = "input";
  constructor(readonly table: string) {
    super(
      `${table} is a table (written by local or batch runs): the streaming job's view cannot replace it; ` +
        "stream into a dataset of its own",
    );
    this.name = "StreamWindowTableError";
  }
}

/** The stream's dataset does not exist: the streaming job creates none (the template refuses a `location`). */
export class StreamDatasetMissingError extends RoxError {
  readonly kind = "input";
  constructor(readonly dataset: string) {
    super(
      `dataset ${dataset} does not exist: the streaming job creates no dataset; create it in its location first ` +
        "(bq mk --location=…)",
    );
    this.name = "StreamDatasetMissingError";
  }
}

/** What the stream's prepare does to `project.dataset`; `--dry-run` prints it. */
export interface StreamPreparePlan {
  dataset: string;
  /** Refused when they exist as tables (not views): the events and window tables (and predictions, scoring). */
  mustNotBeTables: string[];
  /** Created if missing with the schema, partitioning and clustering of the warehouse's tables. */
  tablesIfMissing: string[];
  /**
   * Then run in order: the events view; per window, its partials table and view; scoring, the appended predictions
   * table and the predictions view.
   */
  statements: string[];
}

/** `scored`: the job scores (`--score`), so its predictions table is prepared too. */
export function streamPreparePlan(
  dataset: string,
  contract: Contract,
  options: { scored?: boolean } = {},
): StreamPreparePlan {
  const windows = contract.features?.windows ?? [];
  const statements = [eventsViewSql(dataset, contract)];
  for (const window of windows)
    statements.push(partialsTableSql(dataset, contract, window), windowViewSql(dataset, contract, window));
  if (options.scored)
    statements.push(appendedPredictionsTableSql(dataset, contract), predictionsViewSql(dataset, contract));
  const appended = appendedEventsContract(contract);
  return {
    dataset,
    mustNotBeTables: [
      contract.table,
      ...windows.map((window) => windowTableName(contract, window)),
      ...(options.scored ? [predictionsTableName(contract)] : []),
    ],
    tablesIfMissing: [...contractTables(appended).keys()],
    statements,
  };
}

function partialsTableSql(dataset: string, contract: Contract, window: WindowFeatureSpec): string {
  const schema = windowPartialsSchema(contract, window);
  const columns = schema.fields.map((f) => `\`${f.name}\` ${f.type}${f.mode === "REQUIRED" ? " NOT NULL" : ""}`);
  return (
    `CREATE TABLE IF NOT EXISTS \`${dataset}.${windowPartialsTableName(contract, window)}\` ` +
    `(${columns.join(", ")}) PARTITION BY DATE(window_start) CLUSTER BY \`${window.key}\``
  );
}

/** `dataset` is `project.dataset`. Idempotent: the partials table is kept, the view replaced. */
export async function prepareStreamWindows(query: Query, dataset: string, contract: Contract): Promise<void> {
  for (const window of contract.features?.windows ?? []) {
    await refuseTable(query, dataset, windowTableName(contract, window));
    await query(partialsTableSql(dataset, contract, window));
    await query(windowViewSql(dataset, contract, window));
  }
}

async function refuseTable(query: Query, dataset: string, table: string): Promise<void> {
  const [kind] = await query(
    `SELECT table_type FROM \`${dataset}\`.INFORMATION_SCHEMA.TABLES WHERE table_name = '${table}'`,
  );
  if (kind && kind.table_type !== "VIEW") throw new StreamWindowTableError(`${dataset}.${table}`);
}

/**
 * What the submission runs before a streaming job is created (`submitToDataflow`): the stream's tables in the job's
 * dataset (`parameters.project`, `parameters.dataset`; it must exist, else `StreamDatasetMissingError`), through
 * BigQuery with Application Default Credentials: the appended events, `dead_letters` and `job_runs` (the job writes
 * them with CREATE_NEVER or a later step merges into them), the events view and the window views, and with `model`
 * (a scoring stream) the appended predictions and their view. The BigQuery
 * adapter is loaded only here; `apiEndpoint` is bqemulator's in tests.
 */
export async function prepareStreamDataset(
  parameters: Record<string, string>,
  bigQuery: { apiEndpoint?: string } = {},
): Promise<void> {
  const { BigQueryWarehouse } = await import("../../io/gcp/bigquery/bigquery-warehouse");
  const contract = loadContract(parameters.schema, { dir: parameters.schemasDir });
  const target = { projectId: parameters.project, dataset: parameters.dataset, ...bigQuery };
  const warehouse = await BigQueryWarehouse.open(target);
  const dataset = `${parameters.project}.${parameters.dataset}`;
  const query = (sql: string) => warehouse.query(sql);
  const plan = streamPreparePlan(dataset, contract, { scored: Boolean(parameters.model) });
  try {
    if (!(await warehouse.datasetExists())) throw new StreamDatasetMissingError(dataset);
    for (const table of plan.mustNotBeTables) await refuseTable(query, dataset, table);
    // The appended events (partitioned and clustered as the events table), dead_letters and job_runs, if missing.
    await warehouse.ensureTables(appendedEventsContract(contract));
    for (const sql of plan.statements) await query(sql);
  } finally {
    await warehouse.close();
  }
}
