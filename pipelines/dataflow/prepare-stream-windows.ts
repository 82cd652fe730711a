/**
 * Before the streaming job runs, each declared window needs its partials table (which the job's write would also
 * create) and the window table as a view over it. Runs through any BigQuery `query` (the warehouse's), so it has no
 * Google import. A window table that exists as a table (a local or batch run's, merged by their commits) cannot be
 * replaced by the view: refused, naming it.
 */
import type { Contract } from "../../schemas/contract";
import { RoxError } from "../../errors/rox-error";
import { windowTableName } from "../../transforms/window-rows";
import { windowPartialsSchema, windowPartialsTableName, windowViewSql } from "./window-partials";
import { loadContract } from "../../schemas/load";

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

/** The window table already exists as a table: the stream's view would replace rows the batch and local jobs merge. */
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

/** `dataset` is `project.dataset`. Idempotent: the partials table is kept, the view replaced. */
export async function prepareStreamWindows(query: Query, dataset: string, contract: Contract): Promise<void> {
  for (const window of contract.features?.windows ?? []) {
    const table = windowTableName(contract, window);
    const [kind] = await query(
      `SELECT table_type FROM \`${dataset}\`.INFORMATION_SCHEMA.TABLES WHERE table_name = '${table}'`,
    );
    if (kind && kind.table_type !== "VIEW") throw new StreamWindowTableError(`${dataset}.${table}`);
    const schema = windowPartialsSchema(contract, window);
    const columns = schema.fields.map((f) => `\`${f.name}\` ${f.type}${f.mode === "REQUIRED" ? " NOT NULL" : ""}`);
    await query(
      `CREATE TABLE IF NOT EXISTS \`${dataset}.${windowPartialsTableName(contract, window)}\` ` +
        `(${columns.join(", ")}) PARTITION BY DATE(window_start) CLUSTER BY \`${window.key}\``,
    );
    await query(windowViewSql(dataset, contract, window));
  }
}

/**
 * What the submission runs before a streaming job is created (`submitToDataflow`): the stream's tables in the job's
 * dataset (`parameters.project`, `parameters.dataset`), through BigQuery with Application Default Credentials. The
 * BigQuery adapter is loaded only here.
 */
export async function prepareStreamDataset(parameters: Record<string, string>): Promise<void> {
  const { BigQueryWarehouse } = await import("../../io/gcp/bigquery/bigquery-warehouse");
  const contract = loadContract(parameters.schema, { dir: parameters.schemasDir });
  const warehouse = await BigQueryWarehouse.open({ projectId: parameters.project, dataset: parameters.dataset });
  try {
    await prepareStreamWindows((sql) => warehouse.query(sql), `${parameters.project}.${parameters.dataset}`, contract);
  } finally {
    await warehouse.close();
  }
}
