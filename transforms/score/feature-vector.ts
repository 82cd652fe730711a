import type { CardFeature } from "./model-card";

/** Why a row cannot be scored: a stable class (`feature.missing`, …) and a message naming the feature. */
export interface FeatureProblem {
  errorClass: "feature.missing" | "feature.not_a_number" | "feature.not_a_category";
  errorMessage: string;
}

/** Category → code per feature (the card's order), built once per model. */
export type CategoryCodes = (Map<string, number> | undefined)[];

export function categoryCodes(features: readonly CardFeature[]): CategoryCodes {
  return features.map((f) => (f.kind === "category" ? new Map((f.categories ?? []).map((c, i) => [c, i])) : undefined));
}

/**
 * A feature row → the model's input vector in the card's order. A missing value is NaN (XGBoost's default branch)
 * only where the card allows it (`nullable`); a category the model never saw is missing too, as in XGBoost. Anything
 * else wrong is a problem for the row's dead letter — never a NaN that reaches a prediction unannounced.
 */
export function featureVector(
  features: readonly CardFeature[],
  codes: CategoryCodes,
  row: Record<string, unknown>,
): Float32Array | FeatureProblem {
  const x = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const f = features[i];
    const raw = row[f.name];
    if (raw === null || raw === undefined) {
      if (!f.nullable) return { errorClass: "feature.missing", errorMessage: `feature ${f.name} is missing` };
      x[i] = NaN;
    } else if (f.kind === "category") {
      if (typeof raw !== "string")
        return {
          errorClass: "feature.not_a_category",
          errorMessage: `feature ${f.name} must be text (got ${JSON.stringify(raw)})`,
        };
      x[i] = codes[i]?.get(raw) ?? NaN;
    } else {
      const n = numberOf(raw);
      if (n === undefined)
        return {
          errorClass: "feature.not_a_number",
          errorMessage: `feature ${f.name} must be a finite number (got ${JSON.stringify(raw)})`,
        };
      x[i] = n;
    }
  }
  return x;
}

/** Numbers, and numeric text (BigQuery returns INT64 as text); never booleans, blanks, NaN or infinities. */
function numberOf(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === "bigint") return Number(raw);
  if (typeof raw !== "string" || !/^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}
