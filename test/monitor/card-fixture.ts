import * as fs from "fs";
import * as path from "path";
import { loadModelSpec } from "../../schemas/model-spec";
import {
  CARD_FORMAT,
  type FeatureBaseline,
  type ModelCard,
  type NumericBaseline,
} from "../../transforms/score/model-card";

const numeric = (edges: number[], counts: number[]): NumericBaseline => ({
  kind: "number",
  rows: counts.reduce((a, b) => a + b, 0),
  missing: 0,
  edges,
  counts,
});

/**
 * A card of the real flights-delay spec (its features, their `monitor` settings) as the trainer writes it, with a
 * small baseline: what the registry and monitoring read. The model itself is never scored by the tests using it.
 */
export function flightsDelayCard(): ModelCard {
  const spec = loadModelSpec("flights-delay");
  const features = spec.features.map((f) => (f.kind === "category" ? { ...f, categories: ["LAX", "ORD"] } : f));
  const baseline: Record<string, FeatureBaseline> = Object.fromEntries(
    features.map((f) => [
      f.name,
      f.kind === "category"
        ? { kind: "category", rows: 10, missing: 0, counts: { LAX: 6, ORD: 4 } }
        : numeric([0, 10, 50, 100], [3, 4, 3]),
    ]),
  );
  const span = (from: string, to: string, rows: number) => ({ rows, from, to });
  return {
    format: CARD_FORMAT,
    name: spec.name,
    version: null,
    createdAt: "2001-01-12T00:00:00.000Z",
    framework: { library: "xgboost", version: "3.2.0", objective: "reg:squarederror", modelFile: "model.json" },
    schema: { name: "flights", version: 1, table: "flights" },
    target: { name: spec.target, unit: "minutes" },
    features,
    lineage: { table: "flights", partitions: ["2001-01-09", "2001-01-08"], runIds: ["r1"], rows: 10 },
    split: {
      by: "time",
      cutoff: "2001-01-09T18:00:00.000Z",
      train: span("2001-01-08T00:05:00.000Z", "2001-01-09T17:55:00.000Z", 8),
      test: span("2001-01-09T18:00:00.000Z", "2001-01-09T23:00:00.000Z", 2),
    },
    metrics: {
      evaluatedOn: "held-out",
      trainRows: 8,
      testRows: 2,
      model: { mae: 1, rmse: 2 },
      mean: { mae: 2, rmse: 3, prediction: 5 },
      champion: null,
    },
    baseline: {
      rows: 10,
      features: baseline,
      prediction: numeric([0, 10, 20], [6, 4]),
      target: numeric([0, 5, 60], [4, 6]),
    },
  };
}

/** A trained model's folder as `rox models register --from` takes it (model.json is only hashed by the registry). */
export function writeModelFolder(dir: string, card: ModelCard): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "card.json"), JSON.stringify(card));
  fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify({ learner: {}, version: [3, 2, 0] }));
  return dir;
}
