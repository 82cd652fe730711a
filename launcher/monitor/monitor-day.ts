/**
 * `rox monitor`'s library: one day (`--partition`) or one hourly window (`--window`) of a table against a registered
 * model's card — read what the warehouse holds, compute the metrics (transforms/monitor), replace the scope's rows in
 * `monitoring`, log each alert as a structured line. Returns the rows; the command renders them and decides the exit
 * code. `monitorWindow` is the same for a job that holds the warehouse open (the streaming job, after a window closes).
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
import { warehouseTarget, withWarehouse, type WarehouseFlagValues, type WarehouseTarget } from "../warehouse";
import { modelThresholds, monitorSettings, type MonitorSettings } from "./settings";
import type { ModelRegistry } from "../models/registry";
import { newRunId } from "../../pipelines/run-id";

export interface MonitorOptions extends WarehouseFlagValues {
  model: string;
  on: string;
  /** A day (YYYY-MM-DD), or, with `window` instead, none. */
  partition?: string;
  /** An hourly window's start, ISO UTC on the hour (`2001-01-12T14:00:00Z`). */
  window?: string;
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
  const span = scopeSpan(o);
  if (o["alert-topic"]) parseTopicName(o["alert-topic"]);
  const config = loadConfig(o.config);
  const target = warehouseTarget({ ...o, project: o.project ?? config.project });
  return withWarehouse(target, async (warehouse) => {
    const store = o.store ?? (config.models as { store?: string } | undefined)?.store;
    const registry = openRegistry(warehouse, target, store);
    const run = { runId: o["run-id"] ?? newMonitorRunId(), computedAt: new Date().toISOString() };
    const settings = monitorSettings(config);
    const scoped = await withMonitoring(target, warehouse, (monitoring) =>
      monitorOpened(monitoring, registry, o, span, { settings, run }),
    );
    const messages = scoped.rows.flatMap((r) => alertMessage(r, scoped.context, run.computedAt) ?? []);
    scoped.result.alerts.forEach(log);
    const published = await publishAlerts(messages, o["alert-topic"], o["pubsub-host"]);
    return { ...scoped.result, published };
  });
}

/**
 * One hourly window [hourStartMs, +1 h) of `table` against `model` (`name@alias` or `name@version`), for a job that
 * holds the warehouse and registry open: the metrics of `rox monitor --window`, replacing the window's rows. Alerts
 * are returned (and logged by `log`), not published.
 */
export async function monitorWindow(
  warehouse: Warehouse,
  registry: ModelRegistry,
  model: string,
  table: string,
  hourStartMs: number,
  opts: { config?: string; runId?: string; schemasDir?: string; log?: (entry: AlertEntry) => void } = {},
): Promise<MonitorResult> {
  const span = scopeSpan({ window: new Date(hourStartMs).toISOString() });
  const run = { runId: opts.runId ?? newMonitorRunId(), computedAt: new Date().toISOString() };
  const settings = monitorSettings(loadConfig(opts.config));
  const o = { model, on: table, "schemas-dir": opts.schemasDir };
  const { result } = await monitorOpened(await duckDbMonitoring(warehouse), registry, o, span, { settings, run });
  result.alerts.forEach(opts.log ?? (() => undefined));
  return { ...result, published: [] };
}

type Span = Pick<MonitoredScope, "scope" | "start" | "end">;
type Run = { runId: string; computedAt: string };

/** The scope's rows computed and written; its alerts as log entries. */
async function monitorOpened(
  monitoring: MonitoringWarehouse,
  registry: ModelRegistry,
  o: Pick<MonitorOptions, "model" | "on" | "schemas-dir">,
  span: Span,
  { settings, run }: { settings: MonitorSettings; run: Run },
) {
  const model = await registry.resolve(parseModelRef(o.model));
  const card = await registry.card(model);
  const contract = loadContract(card.schema.name, { dir: o["schemas-dir"] });
  if (contract.table !== o.on) throw new UsageError(`--on ${o.on}: ${model.name} is a model of ${contract.table}`);
  const scope: MonitoredScope = { model: model.name, version: model.version, table: contract.table, ...span };
  const data = await monitoring.scopeData(contract, card, scope, settings.trailingDays);
  const rows = monitorScope(data, modelThresholds(settings, card));
  const replaced = await monitoring.replaceScope(scope, run, rows);
  const context = { ...scope, scopeStart: scope.start, runId: run.runId };
  const alerts = rows.flatMap((r) => alertEntry(r, context, run.computedAt) ?? []);
  return { rows, context, result: { scope, runId: run.runId, rows, alerts, replaced } };
}

/** `--partition` a day, or `--window` the start of an hour (UTC): the scope's [start, end). */
export function scopeSpan(o: { partition?: string; window?: string }): Span {
  if (o.partition && o.window) throw new UsageError("rox monitor takes --partition <day> or --window <hour>, not both");
  if (o.window) {
    const start = Date.parse(o.window);
    if (!/^\d{4}-\d\d-\d\dT/.test(o.window) || !Number.isFinite(start) || start % 3_600_000 !== 0)
      throw new UsageError(`--window must be the start of an hour, ISO UTC (2001-01-12T14:00:00Z; got "${o.window}")`);
    return { scope: "window", start: new Date(start).toISOString(), end: new Date(start + 3_600_000).toISOString() };
  }
  const day = checkDay(o.partition ?? "");
  return { scope: "day", start: `${day}T00:00:00.000Z`, end: `${nextDay(day)}T00:00:00.000Z` };
}

/** Each alert on the topic, after the rows are written: no alert, no message (and no client loaded). */
async function publishAlerts(messages: AlertMessage[], topic?: string, host?: string): Promise<string[]> {
  if (!topic || messages.length === 0) return [];
  const { publishToTopic } = await import("../../io/gcp/pubsub/pubsub-publisher");
  return publishToTopic(topic, messages, host);
}

/**
 * The warehouse's monitoring side, chosen by the same target as every command's warehouse (the Google one loaded
 * lazily, with its own connection and staging tables, closed after `run`).
 */
async function withMonitoring<T>(
  target: WarehouseTarget,
  warehouse: Warehouse,
  run: (monitoring: MonitoringWarehouse) => Promise<T>,
): Promise<T> {
  if (target.kind === "duckdb") return run(await duckDbMonitoring(warehouse));
  const { BigQueryMonitoring } = await import("../../io/gcp/bigquery/bigquery-monitoring");
  const { kind: _kind, ...options } = target;
  const monitoring = await BigQueryMonitoring.open(options);
  try {
    return await run(monitoring);
  } finally {
    await monitoring.close();
  }
}

/** Monitoring reads and writes with bound parameters on the embedded warehouse's own connection. */
async function duckDbMonitoring(warehouse: Warehouse): Promise<MonitoringWarehouse> {
  const { DuckDbMonitoring } = await import("../../io/local/duckdb-monitoring");
  const { DuckDbWarehouse } = await import("../../io/local/duckdb-warehouse");
  if (!(warehouse instanceof DuckDbWarehouse))
    throw new UsageError("a window monitored inside a running job reads the embedded warehouse only");
  return new DuckDbMonitoring(warehouse);
}

export function newMonitorRunId(): string {
  return newRunId(Date.now(), "monitor");
}
