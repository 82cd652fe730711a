/**
 * The model card (`card.json`, written by the trainer beside `model.json`): everything a job needs to use a model and
 * everything monitoring needs to judge it. Scoring reads `features` (their order is the model's input order);
 * monitoring reads `baseline` (see baseline.ts for how its histograms bin).
 */
import type { ModelFeature } from "../../schemas/model-spec";
import { RoxError } from "../../errors/rox-error";

export const CARD_FORMAT = "rox.model-card/v1";

export interface CardFeature extends ModelFeature {
  /** Categories the model knows, in code order (code = index); others score as missing. */
  categories?: string[];
}

export interface NumericBaseline {
  kind: "number";
  rows: number;
  missing: number;
  /** Ascending; bin i holds edges[i] <= v < edges[i+1], the first and last bins open-ended. Empty with no values. */
  edges: number[];
  counts: number[];
  mean?: number;
  min?: number;
  max?: number;
}

export interface CategoryBaseline {
  kind: "category";
  rows: number;
  missing: number;
  counts: Record<string, number>;
}

export type FeatureBaseline = NumericBaseline | CategoryBaseline;

export interface ErrorMetrics {
  mae: number;
  rmse: number;
}

export interface ModelMetrics {
  evaluatedOn: "held-out";
  trainRows: number;
  testRows: number;
  model: ErrorMetrics;
  /** Predicting the training rows' mean target for every row. */
  mean: ErrorMetrics & { prediction: number };
  /** The champion at training time, scored on the same held-out rows (null when there was none). */
  champion: (ErrorMetrics & { version: number | null }) | null;
}

export interface ModelCard {
  format: typeof CARD_FORMAT;
  name: string;
  /** Set by the registry when the model is registered. */
  version: number | null;
  createdAt: string;
  framework: { library: "xgboost"; version: string; objective: string; modelFile: string; servingFile?: string };
  schema: { name: string; version: number | null; table: string | null };
  target: { name: string; unit?: string };
  features: CardFeature[];
  lineage: { table: string | null; partitions: string[]; runIds: string[]; rows: number; job?: string | null };
  split: { by: "time"; cutoff: string; train: SplitSpan; test: SplitSpan };
  metrics: ModelMetrics;
  baseline: {
    rows: number;
    features: Record<string, FeatureBaseline>;
    prediction: NumericBaseline;
    target: NumericBaseline;
  };
}

export interface SplitSpan {
  rows: number;
  from: string;
  to: string;
}

/** A card read from a file, checked for what the jobs rely on; the message names what is wrong. */
export function checkCard(value: unknown): ModelCard {
  const card = value as ModelCard;
  const fail = (what: string) => {
    throw new ModelFormatError(`model card: ${what}`);
  };
  if (typeof card !== "object" || card === null) fail("not a JSON object");
  if (card.format !== CARD_FORMAT) fail(`format must be "${CARD_FORMAT}" (got ${JSON.stringify(card.format)})`);
  if (!Array.isArray(card.features) || card.features.length === 0) fail("features must be a non-empty list");
  for (const f of card.features) {
    if (typeof f.name !== "string" || (f.kind !== "number" && f.kind !== "category"))
      fail(`feature ${JSON.stringify(f)} needs a name and a kind`);
    if (f.kind === "category" && !Array.isArray(f.categories)) fail(`category feature ${f.name} lists no categories`);
  }
  if (typeof card.target?.name !== "string") fail("target.name is missing");
  return card;
}

/** A model file or card that is not what it claims to be: refused at load time, before any record is scored. */
export class ModelFormatError extends RoxError {
  readonly kind = "input";
  constructor(message: string) {
    super(message);
    this.name = "ModelFormatError";
  }
}
