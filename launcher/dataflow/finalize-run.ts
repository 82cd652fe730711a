/**
 * `rox jobs finalize` and the `--wait-until-done` chain: land a finished Dataflow batch run from its staging tables
 * (`pipelines/dataflow/finalize-batch.ts`). The BigQuery adapter and the pipeline are loaded only when called.
 */
import type { RunStageWarehouse } from "../../io/ports";
import type { JobSummary } from "../../transforms/summary";

export interface FinalizeRunTarget {
  projectId: string;
  dataset: string;
  location?: string;
  /** bqemulator's REST URL in tests; default BigQuery with Application Default Credentials. */
  apiEndpoint?: string;
}

export interface FinalizeRunOptions {
  schema: string;
  runId: string;
  replace: boolean;
  schemasDir?: string;
}

export async function finalizeRun(target: FinalizeRunTarget, options: FinalizeRunOptions): Promise<JobSummary> {
  const { BigQueryWarehouse } = await import("../../io/gcp/bigquery/bigquery-warehouse");
  const { finalizeDataflowBatch } = await import("../../pipelines/dataflow/finalize-batch");
  const warehouse: RunStageWarehouse = await BigQueryWarehouse.open(target);
  try {
    return await finalizeDataflowBatch(options, warehouse);
  } finally {
    await warehouse.close();
  }
}

/** Whether the run left staging tables: a template built before staging wrote the final tables itself, and left none. */
export async function runWasStaged(
  target: FinalizeRunTarget,
  schema: string,
  runId: string,
  schemasDir?: string,
): Promise<boolean> {
  const { BigQueryWarehouse } = await import("../../io/gcp/bigquery/bigquery-warehouse");
  const { runStageTables } = await import("../../io/gcp/bigquery/bigquery-run-stage");
  const { loadContract } = await import("../../schemas/load");
  const warehouse: RunStageWarehouse = await BigQueryWarehouse.open(target);
  try {
    return await warehouse.hasRunStage(runStageTables(loadContract(schema, { dir: schemasDir }).table, runId));
  } finally {
    await warehouse.close();
  }
}
