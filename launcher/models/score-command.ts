import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DUCKDB_FEATURE_SQL } from "../../io/feature-query";
import { loadContract } from "../../schemas/load";
import { renderSummary, unaccounted, type JobSummary } from "../../transforms/summary";
import { storeOf } from "../commands/models";
import type { ScoreValues } from "../commands/score";
import { ReconciliationError, UsageError } from "../errors";
import { loadConfig } from "../config";
import { warehouseTarget, withWarehouse } from "../warehouse";
import { resolveDay } from "./day";
import { parseModelRef } from "./model-ref";
import { openRegistry } from "./open-registry";
import { newRunId } from "../../pipelines/run-id";

/** The Beam scoring job on the DirectRunner, into the embedded warehouse's `<table>_predictions`. */
export async function scoreWithBeam(values: ScoreValues): Promise<JobSummary> {
  if (values.runner !== undefined && values.runner !== "direct")
    throw new UsageError(
      `rox score runs on the DirectRunner (--runner direct); on Google Cloud use --target vertex-batch (got "${values.runner}")`,
    );
  const partition = resolveDay(values.partition!, Date.now(), values["time-zone"]);
  const target = warehouseTarget({
    warehouse: values.warehouse,
    project: values.project ?? loadConfig(values.config).project,
    dataset: values.dataset,
    location: values.location,
    "bigquery-endpoint": values["bigquery-endpoint"],
  });
  if (target.kind !== "duckdb")
    throw new UsageError(
      "rox score on the DirectRunner writes to the embedded warehouse; for BigQuery data use --target vertex-batch",
    );
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
      const { DuckDbPredictions } = await import("../../io/local/duckdb-predictions");
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
      return await runScoreJob(options, new DuckDbPredictions(warehouse), DUCKDB_FEATURE_SQL);
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
