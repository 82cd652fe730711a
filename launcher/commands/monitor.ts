import { parseFlags, requireFlag } from "../args";
import { MonitoringAlertError } from "../errors";
import { setLogLabels } from "../logging/json-logging";
import { warehouseFlags } from "../warehouse";
import { monitorDeployUsage } from "./monitor-deploy";

export const monitorUsage = `rox monitor --model <name@alias|name@version> --on <table>
          --partition YYYY-MM-DD | --window <hour start, ISO UTC: 2001-01-12T14:00:00Z>
          [--fail-on-alert] [--store <.rox/models>] [--config rox.config.json]
          [--warehouse <file.duckdb>|bigquery --project P --dataset D [--location L] [--bigquery-endpoint URL]]
          [--schemas-dir <dir>] [--alert-topic projects/P/topics/T [--pubsub-host <emulator host:port>]]
  ${monitorDeployUsage}`;

const monitorFlags = {
  model: { type: "string" },
  on: { type: "string" },
  partition: { type: "string" },
  window: { type: "string" },
  "fail-on-alert": { type: "boolean" },
  store: { type: "string" },
  project: { type: "string" },
  config: { type: "string" },
  "schemas-dir": { type: "string" },
  "run-id": { type: "string" },
  "alert-topic": { type: "string" },
  "pubsub-host": { type: "string" },
  ...warehouseFlags,
} as const;

/**
 * `rox monitor`: drift and data quality of one day (or one hourly window) against the model card's baseline, into the `monitoring` table.
 * Each alert is a JSON log line on stderr (Cloud Logging's format); `--fail-on-alert` makes any alert exit 11.
 */
export async function monitorCommand(argv: string[]): Promise<unknown> {
  if (argv[0] === "deploy") return (await import("./monitor-deploy")).monitorDeployCommand(argv.slice(1));
  const { values } = parseFlags(argv, monitorFlags);
  const { "fail-on-alert": failOnAlert, ...options } = values;
  const model = requireFlag(values.model, "model");
  const on = requireFlag(values.on, "on");
  const partition = values.window ? undefined : requireFlag(values.partition, "partition");
  const { monitorDay, newMonitorRunId } = await import("../monitor/monitor-day");
  const runId = values["run-id"] ?? newMonitorRunId();
  setLogLabels({ run_id: runId });
  const { renderMonitorResult } = await import("../monitor/render");
  const result = await monitorDay(
    { ...options, model, on, partition, window: values.window, "run-id": runId },
    (entry) => console.error(JSON.stringify(entry)),
  );
  console.log(renderMonitorResult(result));
  if (failOnAlert && result.alerts.length > 0) {
    const what = result.alerts.map((a) => `${a.alert.metric} of ${a.alert.feature ?? on}`).join(", ");
    throw new MonitoringAlertError(
      `${result.alerts.length} monitoring alert(s) on ${partition ?? `the window ${values.window}`}: ${what}`,
    );
  }
  return result;
}
