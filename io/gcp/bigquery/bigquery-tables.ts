/** The BigQuery tables a contract implies (pure): the same layout as DuckDB's, from `schemas/bigquery.ts`. */
import {
  bigQueryTableSchema,
  bigQueryWindowTableSchema,
  deadLetterTableSchema,
  jobRunsTableSchema,
  type BigQueryField,
} from "../../../schemas/bigquery";
import type { Contract, WindowFeatureSpec } from "../../../schemas/contract";
import { DEAD_LETTER_TABLE, JOB_RUNS_TABLE } from "../../../schemas/tables";
import { windowAggregator } from "../../../transforms/features";
import { accumulatorColumns, windowTableName } from "../../../transforms/window-rows";
import type { TableSpec } from "./bigquery-client";

export { JOB_RUNS_TABLE };

/** Every run's summary, upserted with each committed chunk (the layout of `schemas/tables.ts`, as DuckDB's). */
export const JOB_RUNS_SPEC: TableSpec = jobRunsTableSchema();

/** The staging table a run's row is loaded into: JSON columns as their text, parsed by the MERGE that copies them. */
export const JOB_RUNS_STAGE_FIELDS: BigQueryField[] = JOB_RUNS_SPEC.fields.map((f) =>
  f.type === "JSON" ? { ...f, type: "STRING" } : f,
);

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
  return {
    ...schema,
    fields: [
      ...schema.fields,
      ...accumulators.map((name): BigQueryField => ({ name, type: "INT64", mode: "NULLABLE" })),
    ],
  };
}

/** Every table of a contract by name, the shared ones included. */
export function contractTables(contract: Contract): Map<string, TableSpec> {
  const tables = new Map<string, TableSpec>([
    [JOB_RUNS_TABLE, JOB_RUNS_SPEC],
    [contract.table, eventsSpec(contract)],
    [DEAD_LETTER_TABLE, deadLettersSpec()],
  ]);
  for (const window of contract.features?.windows ?? [])
    tables.set(windowTableName(contract, window), windowSpec(contract, window));
  return tables;
}
