/**
 * `rox score --target vertex-batch`: the day's feature rows materialized as a BigQuery table (the same query the Beam
 * job reads, io/feature-query.ts), then a Vertex AI Batch Prediction job over it with the version uploaded to Vertex AI
 * Model Registry (`rox models upload`). `--dry-run` prints the table's SQL and the job's request, and sends nothing.
 */
import { bigQueryFeatureSql, featureRowsSql, nextDay } from "../../io/feature-query";
import { loadContract } from "../../schemas/load";
import { storeOf } from "../commands/models";
import type { ScoreValues } from "./score-flags";
import { loadConfig } from "../config";
import { UsageError } from "../errors";
import { renderPlans } from "../plan";
import { warehouseTarget, withWarehouse } from "../warehouse";
import { resolveDay } from "./day";
import { parseModelRef } from "./model-ref";
import { openRegistry } from "./open-registry";
import { planVertexBatchPrediction } from "./vertex-plans";
import { readVertexModelSettings } from "./vertex-settings";

export async function scoreOnVertex(values: ScoreValues): Promise<unknown> {
  const config = loadConfig(values.config);
  const day = resolveDay(values.partition!, Date.now(), values["time-zone"]);
  const target = warehouseTarget({
    warehouse: values.warehouse,
    project: values.project ?? config.project,
    dataset: values.dataset,
    location: values.location,
    "bigquery-endpoint": values["bigquery-endpoint"],
  });
  if (target.kind !== "bigquery")
    throw new UsageError(
      "--target vertex-batch reads the feature rows from BigQuery: add --warehouse bigquery --dataset <dataset>",
    );
  const settings = readVertexModelSettings(config, values);
  return withWarehouse(target, async (warehouse) => {
    const registry = openRegistry(
      warehouse,
      target,
      values.store ?? storeOf(values.config),
      values["storage-endpoint"],
    );
    const model = await registry.resolve(parseModelRef(values.model!));
    const card = await registry.card(model);
    const contract = loadContract(card.schema.name, { dir: values["schemas-dir"] });
    const ref = { projectId: target.projectId, dataset: target.dataset };
    const featureTable = `${contract.table}_features_${day.replace(/-/g, "")}`;
    const materialize = `CREATE OR REPLACE TABLE \`${ref.projectId}.${ref.dataset}.${featureTable}\` AS ${featureRowsSql(contract, card.target.name, card.features, bigQueryFeatureSql(ref), { from: day, to: nextDay(day) })}`;
    const plan = planVertexBatchPrediction(settings, model, card, {
      featureTable: `${ref.projectId}.${ref.dataset}.${featureTable}`,
      outputDataset: `${ref.projectId}.${ref.dataset}`,
      day,
    });
    if (values["dry-run"]) return console.log(`${materialize}\n${renderPlans([plan])}`);
    await warehouse.query(materialize);
    const { applyVertexBatchPrediction } = await import("./vertex-apply");
    const job = await applyVertexBatchPrediction(plan, settings.region, values.endpoint);
    console.log(`${plan.summary}: ${job.name} (${job.state})`);
    return job;
  });
}
