/**
 * Models measured on the same rows: the feature rows of a slice, scored by each model with the TypeScript scorer,
 * against the actual values and the mean baseline. The promotion gate and `rox models evaluate` use it.
 */
import { featureRowsSql, type FeatureRowsFilter } from "../../io/feature-query";
import type { Contract } from "../../schemas/contract";
import type { ErrorMetrics, ModelCard } from "../../transforms/score/model-card";
import { ErrorAccumulator } from "../../transforms/score/metrics";
import { scoreFeatureRow, type Scorer } from "../../transforms/score/scorer";
import type { ModelRegistry, RegisteredModel } from "./registry";

export interface Evaluation {
  rows: number;
  /** Rows a model could not score (dead letters in a job); they are left out of every model's metrics. */
  unscorable: number;
  models: { name: string; version: number; metrics: ErrorMetrics }[];
  /** The first model's training mean, predicted for every row. */
  mean: ErrorMetrics & { prediction: number };
}

export async function evaluateModels(
  registry: ModelRegistry,
  contract: Contract,
  models: RegisteredModel[],
  filter: FeatureRowsFilter,
): Promise<Evaluation> {
  const scorers = await Promise.all(models.map((m) => registry.scorer(m)));
  const features = mergedFeatures(scorers.map((s) => s.card));
  const rows = await registry.warehouse.query(
    featureRowsSql(contract, scorers[0].card.target.name, features, registry.sql, filter),
  );
  const accumulators = scorers.map(() => new ErrorAccumulator());
  const mean = new ErrorAccumulator();
  const meanPrediction = scorers[0].card.metrics.mean.prediction;
  let unscorable = 0;
  for (const row of rows) {
    const predictions = scorers.map((s) => predictionOf(s, row));
    if (predictions.some((p) => p === undefined) || row.label === null || row.label === undefined) {
      unscorable++;
      continue;
    }
    predictions.forEach((p, i) => accumulators[i].add(p!, Number(row.label)));
    mean.add(meanPrediction, Number(row.label));
  }
  return {
    rows: rows.length,
    unscorable,
    models: models.map((m, i) => ({ name: m.name, version: m.version, metrics: accumulators[i].result() })),
    mean: { prediction: meanPrediction, ...mean.result() },
  };
}

function predictionOf(scorer: Scorer, row: Record<string, unknown>): number | undefined {
  const outcome = scoreFeatureRow(scorer, row, { payload: "", source: { uri: "evaluate" }, attempt: 1 });
  return outcome.ok ? outcome.value : undefined;
}

/** Every feature any of the models reads, once (models of one schema name the same feature the same way). */
function mergedFeatures(cards: ModelCard[]): ModelCard["features"] {
  const byName = new Map<string, ModelCard["features"][number]>();
  for (const card of cards) for (const f of card.features) if (!byName.has(f.name)) byName.set(f.name, f);
  return [...byName.values()];
}
