/**
 * `rox monitor`'s library: one day of a table against a registered model's card — read what the warehouse holds,
 * compute the metrics (transforms/monitor), replace the day's rows in `monitoring`, log each alert as a structured
 * line. Returns the rows; the command renders them and decides the exit code.
 */
import { nextDay } from "../../io/feature-query";
import type { MonitoredScope, MonitoringWarehouse } from "../../io/monitoring";
import type { Warehouse } from "../../io/ports";
import { loadContract } from "../../schemas/load";
import { parseTopicName } from "../../io/identifiers/pubsub";
import { alertEntry, type AlertEntry } from "../../transforms/monitor/alert-entry";
import { alertMessage, type AlertMessage } from "../../transforms/monitor/alert-message";
import type { MetricRow } from "../../transforms/monitor/metric-row";
import { monitorScope } from "../../transforms/monitor/monitor-day";
import { loadConfig } from "../config";
import { UsageError } from "../errors";
import { checkDay } from "../models/day";
import { parseModelRef } from "../models/model-ref";
import { openRegistry } from "../models/open-registry";
import { warehouseTarget, withWarehouse, type WarehouseFlagValues } from "../warehouse";
import { modelThresholds, monitorSettings } from "./settings";
import { newRunId } from "../../pipelines/run-id";

export interface MonitorOptions extends WarehouseFlagValues {
  model: string;
  on: string;
  partition: string;
  config?: string;
  store?: string;
  "schemas-dir"?: string;
  "run-id"?: string;
  /** `projects/<p>/topics/<t>`: one message per alert (transforms/monitor/alert-message.ts). */
  "alert-topic"?: string;
  /** The Pub/Sub emulator's host:port for the alert topic (tests); absent: Pub/Sub with ADC. */
  "pubsub-host"?: string;
}

export interface MonitorResult {
  scope: MonitoredScope;
  runId: string;
  rows: MetricRow[];
  alerts: AlertEntry[];
  /** Rows of an earlier run of the same scope that this one replaced. */
  replaced: number;
  /** Message ids of the alerts published on `--alert-topic` (none without alerts or a topic). */
  published: string[];
}

export async function monitorDay(o: MonitorOptions, log: (entry: AlertEntry) => void): Promise<MonitorResult> {
  const day = checkDay(o.partition);
  if (o["alert-topic"]) parseTopicName(o["alert-topic"]);
  const config = loadConfig(o.config);
  const settings = monitorSettings(config);
  const target = warehouseTarget({ ...o, project: o.project ?? config.project });
  if (target.kind !== "duckdb")
    throw new UsageError("rox monitor reads the embedded warehouse (--warehouse <file.duckdb>)");
  return withWarehouse(target, async (warehouse) => {
    const store = o.store ?? (config.models as { store?: string } | undefined)?.store;
    const registry = openRegistry(warehouse, target, store);
    const model = await registry.resolve(parseModelRef(o.model));
    const card = await registry.card(model);
    const contract = loadContract(card.schema.name, { dir: o["schemas-dir"] });
    if (contract.table !== o.on) throw new UsageError(`--on ${o.on}: ${model.name} is a model of ${contract.table}`);
    const monitoring = await duckDbMonitoring(warehouse);
    const scope: MonitoredScope = {
      ...{ model: model.name, version: model.version, table: contract.table, scope: "day" },
      ...{ start: `${day}T00:00:00.000Z`, end: `${nextDay(day)}T00:00:00.000Z` },
    };
    const data = await monitoring.scopeData(contract, card, scope, settings.trailingDays);
    const rows = monitorScope(data, modelThresholds(settings, card));
    const run = { runId: o["run-id"] ?? newMonitorRunId(), computedAt: new Date().toISOString() };
    const replaced = await monitoring.replaceScope(scope, run, rows);
    const context = { ...scope, scopeStart: scope.start, runId: run.runId };
    const alerts = rows.flatMap((r) => alertEntry(r, context, run.computedAt) ?? []);
    alerts.forEach(log);
    const messages = rows.flatMap((r) => alertMessage(r, context, run.computedAt) ?? []);
    const published = await publishAlerts(messages, o["alert-topic"], o["pubsub-host"]);
    return { scope, runId: run.runId, rows, alerts, replaced, published };
  });
}

/** Each alert on the topic, after the rows are written: no alert, no message (and no client loaded). */
async function publishAlerts(messages: AlertMessage[], topic?: string, host?: string): Promise<string[]> {
  if (!topic || messages.length === 0) return [];
  const { publishToTopic } = await import("../../io/gcp/pubsub/pubsub-publisher");
  return publishToTopic(topic, messages, host);
}

/** Monitoring reads and writes with bound parameters, which only the embedded warehouse's connection offers here. */
async function duckDbMonitoring(warehouse: Warehouse): Promise<MonitoringWarehouse> {
  const { DuckDbMonitoring } = await import("../../io/local/duckdb-monitoring");
  const { DuckDbWarehouse } = await import("../../io/local/duckdb-warehouse");
  if (!(warehouse instanceof DuckDbWarehouse)) throw new UsageError("rox monitor reads the embedded warehouse");
  return new DuckDbMonitoring(warehouse);
}

export function newMonitorRunId(): string {
  return newRunId(Date.now(), "monitor");
}
