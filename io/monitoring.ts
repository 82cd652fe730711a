/**
 * The monitoring side of the warehouse: what one scope (a day, or an hourly window) of a model's serving data holds, and the `monitoring`
 * table its metrics land in, replaced per scope so a rerun leaves one set of rows.
 */
import type { Contract } from "../schemas/contract";
import type { ModelCard } from "../transforms/score/model-card";
import type { MetricRow } from "../transforms/monitor/metric-row";
import type { ScopeData } from "../transforms/monitor/monitor-day";

export { MONITORING_TABLE } from "../schemas/tables";

export interface MonitoredScope {
  model: string;
  version: number;
  table: string;
  scope: "day" | "window";
  /** The scope's first instant and the first one after it (ISO, UTC). */
  start: string;
  end: string;
}

export interface MonitoringRun {
  runId: string;
  computedAt: string;
}

export interface MonitoringWarehouse {
  /**
   * The scope's feature rows, the version's predictions of them, the dead letters, and the volumes of the same span
   * on each trailing day (a window: the same hour of the trailing days).
   */
  scopeData(contract: Contract, card: ModelCard, scope: MonitoredScope, trailingDays: number): Promise<ScopeData>;
  /** Deletes the scope's rows and inserts these, in one transaction; returns how many rows it replaced. */
  replaceScope(scope: MonitoredScope, run: MonitoringRun, rows: readonly MetricRow[]): Promise<number>;
}
