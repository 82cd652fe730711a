/**
 * Drift of the serving data from a model card's training baseline: per feature, Jensen–Shannon divergence on the
 * baseline's histogram edges (numbers) or L-infinity distance of the category shares, and the missing share against
 * the baseline's; the same for the predictions. Missing values never enter a distribution (they are the null rate).
 */
import { histogramCounts } from "../score/baseline";
import type { CategoryBaseline, ModelCard, NumericBaseline } from "../score/model-card";
import { jensenShannon, lInfinity } from "./divergence";
import { metricRow, PREDICTION_FEATURE, type MetricRow } from "./metric-row";
import { driftThresholdOf, type MonitorThresholds } from "./thresholds";

/** A feature row's value as a number: null, undefined, "" and non-numbers are missing. */
export function numberOf(value: unknown): number | null {
  if (value === null || value === undefined || value === "" || typeof value === "boolean") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined;
}

/** A category's name (numbers as text); null and undefined are missing. */
export function categoryOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Every feature of the card over the day's feature rows (rows keyed by feature name). */
export function featureDrift(
  card: ModelCard,
  rows: readonly Record<string, unknown>[],
  t: MonitorThresholds,
): MetricRow[] {
  return card.features.flatMap((f) => {
    const baseline = card.baseline.features[f.name];
    if (!baseline) return [];
    const values = rows.map((r) => r[f.name]);
    if (f.monitor?.drift === false)
      return nullRate(f.name, baseline, values.filter(isMissing).length, values.length, t);
    return baseline.kind === "number"
      ? numericDrift(f.name, baseline, values, t)
      : categoryDrift(f.name, baseline, values, t);
  });
}

/** The predictions' drift from the card's prediction baseline (its histogram of the training rows' predictions). */
export function predictionDrift(card: ModelCard, predictions: readonly unknown[], t: MonitorThresholds): MetricRow[] {
  return numericDrift(PREDICTION_FEATURE, card.baseline.prediction, predictions, t).filter(
    (r) => r.metric !== "quality.null_rate",
  );
}

export function numericDrift(
  name: string,
  baseline: NumericBaseline,
  values: readonly unknown[],
  t: MonitorThresholds,
): MetricRow[] {
  const { counts, missing } = histogramCounts(baseline, values.map(numberOf));
  const divergence = jensenShannon(baseline.counts, counts);
  const drift = Number.isNaN(divergence)
    ? []
    : [metricRow(name, "drift.jensen_shannon", divergence, driftThresholdOf(t, name), values.length - missing)];
  return [...drift, ...nullRate(name, baseline, missing, values.length, t)];
}

export function categoryDrift(
  name: string,
  baseline: CategoryBaseline,
  values: readonly unknown[],
  t: MonitorThresholds,
): MetricRow[] {
  const counts: Record<string, number> = Object.create(null) as Record<string, number>;
  let missing = 0;
  for (const v of values.map(categoryOf)) {
    if (v === null) missing++;
    else counts[v] = (counts[v] ?? 0) + 1;
  }
  const distance = lInfinity(baseline.counts, counts);
  const drift = Number.isNaN(distance)
    ? []
    : [metricRow(name, "drift.l_infinity", distance, driftThresholdOf(t, name), values.length - missing)];
  return [...drift, ...nullRate(name, baseline, missing, values.length, t)];
}

/** The day's missing share; it alerts when it exceeds the baseline's by more than `nullRateIncrease`. */
function nullRate(
  name: string,
  baseline: { rows: number; missing: number },
  missing: number,
  rows: number,
  t: MonitorThresholds,
): MetricRow[] {
  if (rows === 0) return [];
  const base = baseline.rows > 0 ? baseline.missing / baseline.rows : 0;
  const limits = {
    threshold: Math.min(1, base + t.nullRateIncrease),
    errorThreshold: Math.min(1, base + t.nullRateIncrease * t.errorFactor),
  };
  return [metricRow(name, "quality.null_rate", missing / rows, limits, rows)];
}
