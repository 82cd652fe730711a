import { PREDICTION_FEATURE, type MetricRow } from "../../transforms/monitor/metric-row";
import { renderPlans } from "../plan";
import type { MonitorResult } from "./monitor-day";
import type { MonitorDeployResult } from "./monitor-deploy";

/** One line per metric (alerts marked), then what was written. */
export function renderMonitorResult(r: MonitorResult): string {
  const s = r.scope;
  const when = s.scope === "day" ? s.start.slice(0, 10) : s.start;
  const head = `${s.model}@${s.version} on ${s.table}, ${s.scope} ${when} (run ${r.runId})`;
  const lines = r.rows.map(renderRow);
  const replaced = r.replaced > 0 ? `, replacing ${r.replaced} of an earlier run` : "";
  const topic = r.published.length > 0 ? ` (${r.published.length} published on the alert topic)` : "";
  const tail = `${r.rows.length} rows into monitoring${replaced}; ${r.alerts.length} alert(s)${topic}`;
  const unscored = r.rows.some((row) => row.feature === PREDICTION_FEATURE)
    ? []
    : [`  no predictions of version ${s.version} in this ${s.scope}: no prediction drift (rox score writes them)`];
  return [head, ...lines, ...unscored, tail].join("\n");
}

function renderRow(r: MetricRow): string {
  const mark = r.severity ? ` ${r.severity}` : "";
  const feature = (r.feature ?? "(table)").padEnd(28);
  return `  ${feature} ${r.metric.padEnd(26)} ${r.value.toFixed(4)} (threshold ${r.threshold.toFixed(4)})${mark}`;
}

/** `--dry-run`: the plans as JSON; otherwise one line per call sent. */
export function renderMonitorDeploy(r: MonitorDeployResult): string {
  if (r.dryRun) return renderPlans(r.plans);
  return [...r.plans.map((p) => p.summary), `created Vertex AI model monitoring job ${r.job}`].join("\n");
}
