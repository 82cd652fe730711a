/**
 * When a monitoring metric alerts: above its threshold (a WARNING), above its error threshold (an ERROR). Defaults
 * follow Vertex AI Model Monitoring (0.3 for both distances); each feature may have its own (config or schema).
 */

export interface FeatureThreshold {
  threshold?: number;
  errorThreshold?: number;
}

export interface MonitorThresholds {
  /** Drift of a feature or of the predictions (Jensen–Shannon or L-infinity). */
  drift: number;
  driftError: number;
  /** Per feature (and `prediction`), overriding the two above. */
  features: Readonly<Record<string, FeatureThreshold>>;
  /** A feature's missing share may exceed the baseline's by this much. */
  nullRateIncrease: number;
  /** Share of the records read that were dead-lettered, per reason. */
  deadLetterRate: number;
  /** |rows / mean rows of the trailing days − 1|. */
  volumeChange: number;
  /** Quality metrics are ERROR at this multiple of their threshold. */
  errorFactor: number;
}

export const DEFAULT_THRESHOLDS: MonitorThresholds = {
  drift: 0.3,
  driftError: 0.6,
  features: {},
  nullRateIncrease: 0.05,
  deadLetterRate: 0.05,
  volumeChange: 0.5,
  errorFactor: 2,
};

/** The defaults with the given settings on top (per-feature settings merge key by key). */
export function withThresholds(overrides: Partial<MonitorThresholds> = {}): MonitorThresholds {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_THRESHOLDS, ...defined, features: { ...DEFAULT_THRESHOLDS.features, ...overrides.features } };
}

/** The card's per-feature settings (from the model spec's `monitor`) under the given ones: the config wins. */
export function withCardThresholds(
  t: MonitorThresholds,
  features: readonly { name: string; monitor?: FeatureThreshold }[],
): MonitorThresholds {
  const fromCard = Object.fromEntries(
    features
      .filter((f) => f.monitor)
      .map((f) => [f.name, { threshold: f.monitor!.threshold, errorThreshold: f.monitor!.errorThreshold }]),
  );
  return { ...t, features: { ...fromCard, ...t.features } };
}

/** The drift thresholds of one feature: its own if set, else the general ones. */
export function driftThresholdOf(t: MonitorThresholds, feature: string): { threshold: number; errorThreshold: number } {
  const own = Object.hasOwn(t.features, feature) ? t.features[feature] : {};
  const threshold = own.threshold ?? t.drift;
  return { threshold, errorThreshold: own.errorThreshold ?? Math.max(t.driftError, threshold) };
}

export type Severity = "WARNING" | "ERROR";

/** null when the value is within its threshold; a value equal to the threshold does not alert. */
export function severityOf(value: number, threshold: number, errorThreshold: number): Severity | null {
  if (value > errorThreshold) return "ERROR";
  return value > threshold ? "WARNING" : null;
}

/**
 * The drift threshold (WARNING) of every feature whose drift is watched (`monitor.drift` not false), by name: what
 * `rox monitor` compares each feature's distance with, and what Vertex AI Model Monitoring is given for the same
 * features (it has no second level, so the error thresholds stay on the batch side).
 */
export function featureDriftThresholds(
  features: readonly { name: string; monitor?: { drift?: boolean } }[],
  t: MonitorThresholds,
): Record<string, number> {
  const watched = features.filter((f) => f.monitor?.drift !== false);
  return Object.fromEntries(watched.map((f) => [f.name, driftThresholdOf(t, f.name).threshold]));
}
