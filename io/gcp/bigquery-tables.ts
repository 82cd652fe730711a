/** The BigQuery tables a contract implies (pure): the same layout as DuckDB's, from `schemas/bigquery.ts`. */
import { bigQueryTableSchema, bigQueryWindowTableSchema, deadLetterTableSchema, type BigQueryField, type BigQueryMode } from "../../schemas/bigquery";
import type { Contract, WindowFeatureSpec } from "../../schemas/contract";
import { DEAD_LETTER_TABLE } from "../../schemas/tables";
import { windowAggregator } from "../../transforms/features";
import { accumulatorColumns, windowTableName } from "../../transforms/window-rows";
import { JOB_RUNS_TABLE } from "../local/duckdb-job-runs";
import type { TableSpec } from "./bigquery-client";

export { JOB_RUNS_TABLE };

function field(name: string, type: string, mode: BigQueryMode = "REQUIRED"): BigQueryField {
  return { name, type, mode };
}

/** Every run's summary, upserted with each committed chunk (the same columns as DuckDB's `job_runs`). */
export const JOB_RUNS_SPEC: TableSpec = {
  fields: [
    field("runId", "STRING"),
    field("job", "STRING"),
    field("schema", "STRING"),
    field("startedAt", "TIMESTAMP"),
    field("finishedAt", "TIMESTAMP"),
    ...["read", "written", "deadLettered", "duplicates"].map((name) => field(name, "INT64")),
    field("byTable", "JSON", "NULLABLE"),
    field("byReason", "JSON", "NULLABLE"),
    field("uncounted", "INT64", "NULLABLE"),
    field("status", "STRING", "NULLABLE"),
    field("owner", "STRING", "NULLABLE"),
  ],
};

/** The staging table a run's row is loaded into: JSON columns as their text, parsed by the MERGE that copies them. */
export const JOB_RUNS_STAGE_FIELDS: BigQueryField[] = JOB_RUNS_SPEC.fields.map((f) => (f.type === "JSON" ? { ...f, type: "STRING" } : f));

export function eventsSpec(contract: Contract): TableSpec {
  return bigQueryTableSchema(contract);
}

export function deadLettersSpec(): TableSpec {
  return deadLetterTableSchema();
}

/** A window table keeps integer accumulators beside its outputs, so partials from any chunk merge to the same rows. */
export function windowSpec(contract: Contract, window: WindowFeatureSpec): TableSpec {
  const schema = bigQueryWindowTableSchema(contract, window);
  const accumulators = accumulatorColumns(windowAggregator(contract, window.name));
  return { ...schema, fields: [...schema.fields, ...accumulators.map((name) => field(name, "INT64", "NULLABLE"))] };
}

/** Every table of a contract by name, the shared ones included. */
export function contractTables(contract: Contract): Map<string, TableSpec> {
  const tables = new Map<string, TableSpec>([
    [JOB_RUNS_TABLE, JOB_RUNS_SPEC],
    [contract.table, eventsSpec(contract)],
    [DEAD_LETTER_TABLE, deadLettersSpec()],
  ]);
  for (const window of contract.features?.windows ?? []) tables.set(windowTableName(contract, window), windowSpec(contract, window));
  return tables;
}
