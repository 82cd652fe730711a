import { oneOf, parseFlags, requireFlag } from "../args";
import { loadConfig } from "../config";
import { ReconciliationError } from "../errors";
import { renderPlans } from "../plan";
import { DEFAULT_WAREHOUSE, withWarehouse } from "../warehouse";
import type { Warehouse } from "../../io/ports";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { TRAIN_TARGETS, type TrainTarget } from "../train/settings";
import type { TrainResult } from "../train/train-run";

export const trainUsage = `rox train --on <table> [--partition YYYY-MM-DD] [--target ${TRAIN_TARGETS.join("|")}]
          [--project <id>] [--region <region>] [--dry-run] [--config <rox.config.json>] [--warehouse <file.duckdb>] [--schemas-dir <dir>]`;

/** What `rox train` and `rox batch --then-train` share: everything but the table. */
export interface TrainFlags {
  partition?: string;
  target?: TrainTarget;
  project?: string;
  region?: string;
  dryRun?: boolean;
  config?: string;
  warehouse?: string;
  schemasDir?: string;
}

/** `rox train`: lineage from the warehouse → the target's plan → printed (`--dry-run`) or applied. */
export async function trainCommand(argv: string[]): Promise<TrainResult> {
  const { values } = parseFlags(argv, {
    on: { type: "string" },
    partition: { type: "string" },
    target: { type: "string" },
    project: { type: "string" },
    region: { type: "string" },
    "dry-run": { type: "boolean" },
    config: { type: "string" },
    warehouse: { type: "string" },
    "schemas-dir": { type: "string" },
  });
  const flags: TrainFlags = {
    partition: values.partition,
    target: oneOf(values.target, "target", TRAIN_TARGETS),
    project: values.project,
    region: values.region,
    dryRun: values["dry-run"] ?? false,
    config: values.config,
    warehouse: values.warehouse,
    schemasDir: values["schemas-dir"],
  };
  return trainOn(requireFlag(values.on, "on"), flags);
}

/**
 * For `rox batch … --then-train`: trains on the events table of the schema the batch run wrote, once the run has
 * finished and reconciled. Pass the batch's open DuckDB warehouse (one process should not open the file twice);
 * without it `flags.warehouse` is opened here. Lineage is read with DuckDB SQL, so a batch into BigQuery cannot be
 * followed by training yet. Waiting for a Dataflow job to reach DONE first is the Dataflow launcher's part.
 */
export async function trainAfterBatch(summary: JobSummary, flags: TrainFlags, warehouse?: Warehouse): Promise<TrainResult> {
  const missing = unaccounted(summary);
  if (missing !== 0) throw new ReconciliationError(`not training after run ${summary.runId}: ${missing} records unaccounted for`);
  const { loadContract } = await import("../../schemas/load");
  const table = loadContract(summary.schema, { dir: flags.schemasDir }).table;
  return trainOn(table, flags, warehouse);
}

async function trainOn(table: string, flags: TrainFlags, open?: Warehouse): Promise<TrainResult> {
  const { readTrainSettings } = await import("../train/settings");
  const { runTraining } = await import("../train/train-run");
  const settings = readTrainSettings(loadConfig(flags.config), flags);
  const run = (warehouse: Warehouse) =>
    runTraining({ slice: { table, ...(flags.partition ? { partition: flags.partition } : {}) }, settings, warehouse, dryRun: flags.dryRun, schemasDir: flags.schemasDir });
  // Lineage and the local export are DuckDB SQL (COPY … TO parquet): training reads the embedded warehouse.
  const result = open ? await run(open) : await withWarehouse({ kind: "duckdb", file: flags.warehouse ?? DEFAULT_WAREHOUSE }, run);
  await printResult(result);
  return result;
}

async function printResult(result: TrainResult): Promise<void> {
  if (result.dryRun) return console.log(renderPlans([result.plan]));
  const { renderTrainResult } = await import("../train/report");
  console.log(renderTrainResult(result));
}
