import { oneOf, optionalNumber, parseFlags, requireFlag } from "../args";
import type { DeployValues } from "../deploy/deploy";

export const deployUsage = `rox deploy --model <name@alias|name@version> --target vertex-endpoint|cloud-run [--dry-run]
          [--traffic <percent for the new deployment, 100>] [--min-replicas N] [--max-replicas N]
          [--name <endpoint display name | service id, rox-<model>>] [--service-account <email>]
          [--project P] [--region R] [--config rox.config.json]
          vertex-endpoint: [--machine-type <n1-standard-2>] [--endpoint <Vertex AI host:port>]
          cloud-run: --image <serving image> [--store gs://…] --warehouse bigquery --dataset D [--location L]
          [--run-endpoint <url>]`;

const deployFlags = {
  model: { type: "string" },
  target: { type: "string" },
  "dry-run": { type: "boolean" },
  traffic: { type: "string" },
  "min-replicas": { type: "string" },
  "max-replicas": { type: "string" },
  name: { type: "string" },
  "service-account": { type: "string" },
  project: { type: "string" },
  region: { type: "string" },
  config: { type: "string" },
  "machine-type": { type: "string" },
  endpoint: { type: "string" },
  image: { type: "string" },
  store: { type: "string" },
  warehouse: { type: "string" },
  dataset: { type: "string" },
  location: { type: "string" },
  "run-endpoint": { type: "string" },
} as const;

/** `rox deploy`: the prediction server (`rox serve`) on a Vertex AI endpoint or a Cloud Run service. */
export async function deployCommand(argv: string[]): Promise<unknown> {
  const { values } = parseFlags(argv, deployFlags);
  const target = oneOf(requireFlag(values.target, "target"), "target", ["vertex-endpoint", "cloud-run"] as const)!;
  const deploy: DeployValues = {
    ...values,
    model: requireFlag(values.model, "model"),
    traffic: optionalNumber(values.traffic, "traffic") ?? 100,
    minReplicas: optionalNumber(values["min-replicas"], "min-replicas") ?? 1,
    maxReplicas: optionalNumber(values["max-replicas"], "max-replicas") ?? 2,
  };
  const { deployToVertex, deployToCloudRun } = await import("../deploy/deploy");
  return target === "vertex-endpoint" ? deployToVertex(deploy) : deployToCloudRun(deploy);
}
