import { optionalNumber, parseFlags, requireFlag } from "../args";
import { warehouseFlags } from "../warehouse";

export const monitorDeployUsage = `rox monitor deploy --model <name@alias|name@version>
          --endpoint <endpoint id|projects/…/endpoints/id> [--email <address>]…
          [--notification-channel projects/P/notificationChannels/C]… [--interval-hours 24] [--sample-rate 0.8]
          [--warehouse bigquery --project P --dataset D | --training-dataset P.D] [--region R] [--store gs://…]
          [--config rox.config.json] [--dry-run] [--api-endpoint <Vertex AI host:port>]`;

const monitorDeployFlags = {
  model: { type: "string" },
  endpoint: { type: "string" },
  email: { type: "string", multiple: true },
  "notification-channel": { type: "string", multiple: true },
  "interval-hours": { type: "string" },
  "sample-rate": { type: "string" },
  "training-dataset": { type: "string" },
  project: { type: "string" },
  region: { type: "string" },
  store: { type: "string" },
  config: { type: "string" },
  "schemas-dir": { type: "string" },
  "dry-run": { type: "boolean" },
  "api-endpoint": { type: "string" },
  ...warehouseFlags,
} as const;

/**
 * `rox monitor deploy`: Vertex AI Model Monitoring on an endpoint, with the features and thresholds `rox monitor`
 * uses for the same model (monitor/vertex-monitoring-plan.ts). `--dry-run` prints the plans.
 */
export async function monitorDeployCommand(argv: string[]): Promise<unknown> {
  const { values } = parseFlags(argv, monitorDeployFlags);
  const { email, "notification-channel": channels, "dry-run": dryRun, ...rest } = values;
  const { deployMonitoring } = await import("../monitor/monitor-deploy");
  const result = await deployMonitoring({
    ...rest,
    model: requireFlag(values.model, "model"),
    endpoint: requireFlag(values.endpoint, "endpoint"),
    intervalHours: optionalNumber(values["interval-hours"], "interval-hours") ?? 24,
    sampleRate: optionalNumber(values["sample-rate"], "sample-rate") ?? 0.8,
    emails: email ?? [],
    notificationChannels: channels ?? [],
    dryRun: dryRun ?? false,
  });
  const { renderMonitorDeploy } = await import("../monitor/render");
  console.log(renderMonitorDeploy(result));
  return result;
}
