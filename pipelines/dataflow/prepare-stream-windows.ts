/**
 * Before the streaming job runs, each declared window needs its partials table (which the job's write would also
 * create) and the window table as a view over it, and the events table must be the view of first copies over the
 * appended events (stream-events.ts). Runs through any BigQuery `query` (the warehouse's), so it has no Google
 * import. A window or events table that exists as a table (a local or batch run's, merged by their commits) cannot be
 * replaced by the view: refused, naming it.
 */
import type { Contract } from "../../schemas/contract";
import { RoxError } from "../../errors/rox-error";
import { windowTableName } from "../../transforms/window-rows";
import { windowPartialsSchema, windowPartialsTableName, windowViewSql } from "./window-partials";
import { loadContract } from "../../schemas/load";
import { appendedEventsContract, eventsViewSql } from "./stream-events";

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

/** The window or events table exists as a table: the stream's view would replace rows local or batch runs wrote. */
export class StreamWindowTableError extends RoxError {
  readonly kind = "input";
  constructor(readonly table: string) {
    super(
      `${table} is a table (written by local or batch runs): the streaming job's window view cannot replace it; ` +
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

/** `dataset` is `project.dataset`. Idempotent: the partials table is kept, the view replaced. */
export async function prepareStreamWindows(query: Query, dataset: string, contract: Contract): Promise<void> {
  for (const window of contract.features?.windows ?? []) {
    await refuseTable(query, dataset, windowTableName(contract, window));
    const schema = windowPartialsSchema(contract, window);
    const columns = schema.fields.map((f) => `\`${f.name}\` ${f.type}${f.mode === "REQUIRED" ? " NOT NULL" : ""}`);
    await query(
      `CREATE TABLE IF NOT EXISTS \`${dataset}.${windowPartialsTableName(contract, window)}\` ` +
        `(${columns.join(", ")}) PARTITION BY DATE(window_start) CLUSTER BY \`${window.key}\``,
    );
    await query(windowViewSql(dataset, contract, window));
  }
}

/** The events table as the view of first copies; the appended table (`<table>__appended`) must exist. Idempotent. */
export async function prepareStreamEvents(query: Query, dataset: string, contract: Contract): Promise<void> {
  await refuseTable(query, dataset, contract.table);
  await query(eventsViewSql(dataset, contract));
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
 * them with CREATE_NEVER or a later step merges into them), the events view and the window views. The BigQuery
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
  try {
    if (!(await warehouse.datasetExists())) throw new StreamDatasetMissingError(dataset);
    await refuseTable(query, dataset, contract.table);
    // The appended events (partitioned and clustered as the events table), dead_letters and job_runs, if missing.
    await warehouse.ensureTables(appendedEventsContract(contract));
    await prepareStreamEvents(query, dataset, contract);
    await prepareStreamWindows(query, dataset, contract);
  } finally {
    await warehouse.close();
  }
}
