import { failure, success, type Envelope, type Outcome } from "../envelope";
import { categoryCodes, featureVector, type CategoryCodes } from "./feature-vector";
import { checkCard, ModelFormatError, type ModelCard } from "./model-card";
import { predictOne } from "./tree-ensemble";
import { parseXgboostJson, type TreeEnsemble } from "./xgboost-json";

/** One loaded model: its card, its trees and its category codes. Built once per worker and reused for every row. */
export interface Scorer {
  card: ModelCard;
  model: TreeEnsemble;
  codes: CategoryCodes;
}

/** The card (parsed JSON) and `model.json` (text) → a scorer; a model whose inputs disagree with its card is refused. */
export function createScorer(card: unknown, modelJson: string): Scorer {
  const checked = checkCard(card);
  const model = parseXgboostJson(modelJson);
  const names = checked.features.map((f) => f.name);
  if (model.featureNames.length > 0 && model.featureNames.join(",") !== names.join(",")) {
    throw new ModelFormatError(
      `the model's features (${model.featureNames.join(", ")}) differ from its card's (${names.join(", ")})`,
    );
  }
  const widest = model.feature.reduce((m, f) => Math.max(m, f), -1);
  if (widest >= names.length)
    throw new ModelFormatError(`the model splits on feature ${widest}, the card lists ${names.length}`);
  return { card: checked, model, codes: categoryCodes(checked.features) };
}

/** A feature row → its prediction, or a dead letter (stage `score`) naming the feature or the reason. */
export function scoreFeatureRow(scorer: Scorer, row: Record<string, unknown>, envelope: Envelope): Outcome<number> {
  const x = featureVector(scorer.card.features, scorer.codes, row);
  if (!(x instanceof Float32Array)) return failure("score", x.errorClass, x.errorMessage, envelope);
  const prediction = predictOne(scorer.model, x);
  if (!Number.isFinite(prediction))
    return failure("score", "prediction.not_finite", `the model predicted ${prediction}`, envelope);
  return success(prediction);
}
