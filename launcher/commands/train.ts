import { oneOf, optionalNumber, parseFlags, requireFlag } from "../args";
import { loadConfig } from "../config";
import { ReconciliationError, UsageError } from "../errors";
import { renderPlans } from "../plan";
import { warehouseFlags, withWarehouse } from "../warehouse";
import type { Warehouse } from "../../io/ports";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { TRAIN_TARGETS } from "../train/settings";
import type { TrainResult } from "../train/train-run";
import { trainPolling, trainWarehouse, type TrainFlags } from "../train/train-flags";

export const trainUsage = `rox train --on <table> | --model <name> [--store <.rox/models|gs://…>] [--retrain] [--partition YYYY-MM-DD] [--target ${TRAIN_TARGETS.join("|")}]
          [--wait-until-done [--poll-interval <s, 30>] [--max-wait <min, 180>]] (vertex-custom-job: its model folder)
          [--project <id>] [--region <region>] [--dry-run] [--config <rox.config.json>] [--schemas-dir <dir>] [--endpoint <Vertex AI host:port>]
          [--warehouse <file.duckdb>|bigquery [--dataset D [--location L] [--bigquery-endpoint URL]]]`;

/** What `rox train` and `rox batch --then-train` share: everything but the table. */

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
    ...warehouseFlags,
    "schemas-dir": { type: "string" },
    endpoint: { type: "string" },
    model: { type: "string" },
    store: { type: "string" },
    retrain: { type: "boolean" },
    "wait-until-done": { type: "boolean" },
    "poll-interval": { type: "string" },
    "max-wait": { type: "string" },
  });
  const flags: TrainFlags = {
    partition: values.partition,
    target: oneOf(values.target, "target", TRAIN_TARGETS),
    project: values.project,
    region: values.region,
    dryRun: values["dry-run"] ?? false,
    config: values.config,
    warehouse: values.warehouse,
    dataset: values.dataset,
    location: values.location,
    bigqueryEndpoint: values["bigquery-endpoint"],
    schemasDir: values["schemas-dir"],
    endpoint: values.endpoint,
    model: values.model,
    store: values.store,
    retrain: values.retrain,
    wait: waitFlags(values),
  };
  if (flags.model !== undefined) {
    if (values.on !== undefined)
      throw new UsageError("--model trains on its own schema's table: give --on or --model, not both");
    return (await import("../models/train-command")).trainModel(flags);
  }
  return trainOn(requireFlag(values.on, "on"), flags);
}

/**
 * For `rox batch … --then-train`: trains on the events table of the schema the batch run wrote, once the run has
 * finished and reconciled. Pass the batch's open DuckDB warehouse (one process should not open the file twice);
 * without it the warehouse of `flags` is opened here. A Dataflow batch job is followed by `rox launch batch …
 * --then-train` (launcher/launch-then-train.ts), which waits for the job to be DONE first.
 */
export async function trainAfterBatch(
  summary: JobSummary,
  flags: TrainFlags,
  warehouse?: Warehouse,
): Promise<TrainResult> {
  const missing = unaccounted(summary);
  if (missing !== 0)
    throw new ReconciliationError(`not training after run ${summary.runId}: ${missing} records unaccounted for`);
  const { loadContract } = await import("../../schemas/load");
  const table = loadContract(summary.schema, { dir: flags.schemasDir }).table;
  return trainOn(table, flags, warehouse);
}

async function trainOn(table: string, flags: TrainFlags, open?: Warehouse): Promise<TrainResult> {
  const { readTrainSettings } = await import("../train/settings");
  const { checkTargetReadsWarehouse } = await import("../train/plan-training");
  const { sliceDialectOf } = await import("../train/slice-dialect");
  const { runTraining } = await import("../train/train-run");
  const config = loadConfig(flags.config);
  const settings = readTrainSettings(config, flags);
  const target = trainWarehouse(flags, config.project);
  checkTargetReadsWarehouse(settings.target, target.kind);
  const slice = { table, ...(flags.partition ? { partition: flags.partition } : {}) };
  const wait = await trainPolling(flags, settings.target);
  const run = (warehouse: Warehouse) =>
    runTraining({
      slice,
      settings,
      warehouse,
      dialect: sliceDialectOf(target),
      dryRun: flags.dryRun,
      schemasDir: flags.schemasDir,
      vertexEndpoint: flags.endpoint,
      wait,
    });
  const result = open ? await run(open) : await withWarehouse(target, run);
  await printResult(result);
  return result;
}

async function printResult(result: TrainResult): Promise<void> {
  if (result.dryRun) return console.log(renderPlans([result.plan]));
  const { renderTrainResult } = await import("../train/report");
  console.log(renderTrainResult(result));
}

function waitFlags(values: {
  "wait-until-done"?: boolean;
  "poll-interval"?: string;
  "max-wait"?: string;
}): TrainFlags["wait"] {
  if (!values["wait-until-done"]) {
    for (const flag of ["poll-interval", "max-wait"] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies only with --wait-until-done`);
    return undefined;
  }
  return {
    pollSeconds: optionalNumber(values["poll-interval"], "poll-interval"),
    maxWaitMinutes: optionalNumber(values["max-wait"], "max-wait"),
  };
}
