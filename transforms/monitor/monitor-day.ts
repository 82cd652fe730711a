/**
 * Every metric of one scope (a day) of a model's serving data, from what the warehouse holds: the feature rows, the
 * predictions of the monitored version, the dead letters of the runs that wrote the rows, and the trailing volumes.
 */
import type { ModelCard } from "../score/model-card";
import { featureDrift, predictionDrift } from "./drift";
import type { MetricRow } from "./metric-row";
import { deadLetterRates, volumeChange, type ReasonCount } from "./quality";
import type { MonitorThresholds } from "./thresholds";

export interface ScopeData {
  card: ModelCard;
  featureRows: readonly Record<string, unknown>[];
  /** The version's predictions of the scope's events; none when it has not scored them (no prediction drift then). */
  predictions: readonly unknown[];
  deadLetters: readonly ReasonCount[];
  /** Records read by the runs that wrote the scope's events (the dead-letter rates' denominator). */
  read: number;
  /** Rows of each trailing day that holds any. */
  trailingRows: readonly number[];
}

export function monitorScope(data: ScopeData, t: MonitorThresholds): MetricRow[] {
  return [
    ...featureDrift(data.card, data.featureRows, t),
    ...(data.predictions.length > 0 ? predictionDrift(data.card, data.predictions, t) : []),
    ...deadLetterRates(data.deadLetters, data.read, t),
    ...volumeChange(data.featureRows.length, data.trailingRows, t),
  ];
}
