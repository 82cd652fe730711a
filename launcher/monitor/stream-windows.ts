/**
 * `rox stream --score <model> --monitor`: after each committed micro-batch, the hourly windows the batch scored
 * events in are noted, and each window the stream's watermark has closed is monitored against the scoring model's
 * card (`monitorWindow`: the same rows as `rox monitor --window`, replaced when late data lands in the window again).
 * Runs between micro-batches on the job's own warehouse connection, so it never races a commit. A window whose
 * monitoring fails stays pending and is tried after the next micro-batch: the stream never stops for its monitor.
 */
import type { FeatureSqlDialect } from "../../io/feature-query";
import type { Warehouse } from "../../io/ports";
import type { BatchEvent } from "../../pipelines/stream-job";
import { loadContract } from "../../schemas/load";
import { predictionsTableName } from "../../schemas/tables";
import type { AlertEntry } from "../../transforms/monitor/alert-entry";
import {
  closedWindows,
  EMPTY_WATCH,
  touchWindows,
  type TouchedHour,
  type WindowWatch,
} from "../../transforms/monitor/window-watch";
import type { ModelRegistry } from "../models/registry";
import { monitorWindow, type MonitorResult } from "./monitor-day";

export interface StreamMonitorOptions {
  /** The model reference the stream scores with (`name@alias`): the windows are monitored against it. */
  model: string;
  schema: string;
  schemasDir?: string;
  config?: string;
  sql: FeatureSqlDialect;
  /** One line per monitored window and per alert (alerts as Cloud Logging JSON). */
  log: (line: string) => void;
}

export interface StreamMonitor {
  afterBatch(event: BatchEvent): Promise<void>;
  /** The windows the job leaves open (their hour starts): monitored by `rox monitor --window` once complete. */
  open(): number[];
  /** Every window monitored so far, in order (a window monitored again after late data appears again). */
  monitored: MonitorResult[];
}

export function streamWindowMonitor(
  o: StreamMonitorOptions,
  warehouse: Warehouse,
  registry: ModelRegistry,
): StreamMonitor {
  const contract = loadContract(o.schema, { dir: o.schemasDir });
  const table = contract.table;
  let watch: WindowWatch = EMPTY_WATCH;
  let since = new Date(0).toISOString();
  const monitored: MonitorResult[] = [];
  const monitorOne = async (hourMs: number) => {
    const options = { config: o.config, schemasDir: o.schemasDir, log: (e: AlertEntry) => o.log(JSON.stringify(e)) };
    const result = await monitorWindow(warehouse, registry, o.model, table, hourMs, options);
    monitored.push(result);
    o.log(`rox stream: monitored the window ${result.scope.start}: ${result.alerts.length} alert(s)`);
  };
  const afterBatch = async (event: BatchEvent) => {
    const touched = await touchedHours(warehouse, o.sql, {
      predictions: predictionsTableName(contract),
      runId: event.summary.runId,
      since,
    });
    since = new Date(event.committedAt).toISOString();
    const closed = closedWindows(touchWindows(watch, touched));
    watch = closed.watch;
    for (const hourMs of closed.due) {
      await monitorOne(hourMs).catch((err: Error) => {
        watch = { ...watch, pending: [...watch.pending, hourMs].sort((a, b) => a - b) };
        o.log(
          `rox stream: monitoring the window ${new Date(hourMs).toISOString()} failed (tried again): ${err.message}`,
        );
      });
    }
  };
  return { afterBatch, open: () => [...watch.pending], monitored };
}

/** The hours this run scored events in since `since` (a micro-batch's predictions carry its time as `scored_at`). */
async function touchedHours(
  warehouse: Warehouse,
  sql: FeatureSqlDialect,
  s: { predictions: string; runId: string; since: string },
): Promise<TouchedHour[]> {
  const hour = sql.epochSeconds(sql.floorTo("event_time", 3600));
  const rows = await warehouse.query(
    `SELECT ${hour} AS hour_s, ${sql.epochSeconds("max(event_time)")} AS latest_s
     FROM ${sql.table(s.predictions)}
     WHERE score_run_id = ${sql.literal(s.runId)} AND scored_at >= ${sql.instant(s.since)} GROUP BY 1`,
  );
  return rows.map((r) => ({ hourMs: Number(r.hour_s) * 1000, latestMs: Number(r.latest_s) * 1000 }));
}
