import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bigQueryFeatureSql, DUCKDB_FEATURE_SQL, type FeatureSqlDialect } from "../../io/feature-query";
import type { Warehouse } from "../../io/ports";
import type { PredictionWarehouse } from "../../io/predictions";
import { loadContract } from "../../schemas/load";
import { renderSummary, unaccounted, type JobSummary } from "../../transforms/summary";
import { storeOf } from "../commands/models";
import type { ScoreValues } from "./score-flags";
import { ReconciliationError, UsageError } from "../errors";
import { loadConfig } from "../config";
import { warehouseTarget, withWarehouse, type WarehouseTarget } from "../warehouse";
import { resolveDay } from "./day";
import { parseModelRef } from "./model-ref";
import { openRegistry } from "./open-registry";
import { newRunId } from "../../pipelines/run-id";

/**
 * The Beam scoring job on the DirectRunner: the feature rows read from the warehouse (DuckDB or BigQuery), the
 * predictions committed to its `<table>_predictions`.
 */
export async function scoreWithBeam(values: ScoreValues): Promise<JobSummary> {
  if (values.runner !== undefined && values.runner !== "direct")
    throw new UsageError(
      `rox score runs on the DirectRunner (--runner direct), or --target vertex-batch (got "${values.runner}")`,
    );
  const partition = resolveDay(values.partition!, Date.now(), values["time-zone"]);
  const target = warehouseTarget({
    warehouse: values.warehouse,
    project: values.project ?? loadConfig(values.config).project,
    dataset: values.dataset,
    location: values.location,
    "bigquery-endpoint": values["bigquery-endpoint"],
  });
  const summary = await withWarehouse(target, async (warehouse) => {
    const registry = openRegistry(
      warehouse,
      target,
      values.store ?? storeOf(values.config),
      values["storage-endpoint"],
    );
    const model = await registry.resolve(parseModelRef(values.model!));
    const card = await registry.card(model);
    const contract = loadContract(card.schema.name, { dir: values["schemas-dir"] });
    if (contract.table !== values.on) throw new UsageError(`--on ${values.on}: ${model.name} scores ${contract.table}`);
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "rox-score-"));
    try {
      const { runScoreJob } = await import("../../pipelines/score/score-job");
      const runId = values["run-id"] ?? newRunId(Date.now(), "score");
      const options = {
        contract,
        card,
        modelDir: await registry.localFolder(model),
        modelVersion: model.version,
        partition,
        replace: values.replace ?? false,
        runId,
        nowMs: Date.now(),
        workDir,
      };
      return await withPredictions(target, warehouse, (predictions, sql) => runScoreJob(options, predictions, sql));
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  });
  console.log(renderSummary(summary));
  if (values.summary) fs.writeFileSync(values.summary, JSON.stringify(summary, null, 2) + "\n");
  if (unaccounted(summary) !== 0)
    throw new ReconciliationError(`scoring run ${summary.runId}: ${unaccounted(summary)} feature rows unaccounted for`);
  return summary;
}

/** The warehouse's scoring side and its feature SQL dialect (the Google one loaded lazily). */
async function withPredictions<T>(
  target: WarehouseTarget,
  warehouse: Warehouse,
  run: (predictions: PredictionWarehouse, sql: FeatureSqlDialect) => Promise<T>,
): Promise<T> {
  if (target.kind === "duckdb") {
    const { DuckDbPredictions } = await import("../../io/local/duckdb-predictions");
    return run(new DuckDbPredictions(warehouse), DUCKDB_FEATURE_SQL);
  }
  const { BigQueryPredictions } = await import("../../io/gcp/bigquery/bigquery-predictions");
  const { kind: _kind, ...options } = target;
  const predictions = await BigQueryPredictions.open(options);
  try {
    return await run(predictions, bigQueryFeatureSql({ projectId: target.projectId, dataset: target.dataset }));
  } finally {
    await predictions.close();
  }
}
