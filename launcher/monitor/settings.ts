import { configSection, type RoxConfig } from "../config";
import type { ModelCard } from "../../transforms/score/model-card";
import {
  withCardThresholds,
  withThresholds,
  type FeatureThreshold,
  type MonitorThresholds,
} from "../../transforms/monitor/thresholds";

export interface MonitorSettings {
  thresholds: MonitorThresholds;
  /** Days before the monitored one whose volumes it is compared with. */
  trailingDays: number;
}

/** The `monitoring` section of rox.config.json (its shape is checked by config-shape.ts when the file is loaded). */
export function monitorSettings(config: RoxConfig): MonitorSettings {
  const s = configSection(config, "monitoring") as Partial<Omit<MonitorThresholds, "features">> & {
    features?: Record<string, FeatureThreshold>;
    trailingDays?: number;
  };
  const { trailingDays = 7, ...thresholds } = s;
  return { thresholds: withThresholds(thresholds), trailingDays };
}

/**
 * The thresholds a model is monitored with: the config's over the card's per-feature `monitor` over the defaults. The
 * one source both `rox monitor` (the batch side) and `rox monitor deploy` (Vertex AI's side) read.
 */
export function modelThresholds(settings: MonitorSettings, card: Pick<ModelCard, "features">): MonitorThresholds {
  return withCardThresholds(settings.thresholds, card.features);
}
