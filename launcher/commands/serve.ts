import { optionalNumber, parseFlags, requireFlag } from "../args";
import { loadConfig } from "../config";
import { warehouseFlags, warehouseTarget } from "../warehouse";

export const serveUsage = `rox serve --model <name@alias|name@version> [--port N (AIP_HTTP_PORT, 8080; 0: any free)]
          [--host H] [--reload-every <s>] [--cache-ttl <s>] [--max-body-bytes N] [--max-instances N]
          [--store <.rox/models|gs://…>] [--schemas-dir D]
          [--warehouse <file.duckdb>|bigquery --project P --dataset D] [--config rox.config.json]`;

const serveFlags = {
  model: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  "reload-every": { type: "string" },
  "cache-ttl": { type: "string" },
  "max-body-bytes": { type: "string" },
  "max-instances": { type: "string" },
  store: { type: "string" },
  "storage-endpoint": { type: "string" },
  "schemas-dir": { type: "string" },
  project: { type: "string" },
  config: { type: "string" },
  ...warehouseFlags,
} as const;

/** `rox serve`: Vertex AI's custom-container contract over HTTP (routes and port from the AIP_* variables). */
export async function serveCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values } = parseFlags(argv, serveFlags);
  requireFlag(values.model, "model");
  const { parseModelRef } = await import("../models/model-ref");
  const { storeOf } = await import("./models");
  const target = warehouseTarget({ ...values, project: values.project ?? loadConfig(values.config).project });
  const { serve } = await import("../serve/run");
  await serve({
    ref: parseModelRef(values.model!),
    target,
    store: values.store ?? storeOf(values.config),
    storageEndpoint: values["storage-endpoint"],
    schemasDir: values["schemas-dir"],
    host: values.host ?? "0.0.0.0",
    port: optionalNumber(values.port, "port") ?? optionalNumber(env.AIP_HTTP_PORT, "port") ?? 8080,
    predictRoute: env.AIP_PREDICT_ROUTE || "/predict",
    healthRoute: env.AIP_HEALTH_ROUTE || "/health",
    deployedModelId: env.AIP_DEPLOYED_MODEL_ID || undefined,
    maxBodyBytes: optionalNumber(values["max-body-bytes"], "max-body-bytes") ?? 1_572_864,
    maxInstances: optionalNumber(values["max-instances"], "max-instances") ?? 1_000,
    cacheTtlSeconds: optionalNumber(values["cache-ttl"], "cache-ttl") ?? 30,
    reloadEverySeconds: optionalNumber(values["reload-every"], "reload-every") ?? 30,
  });
}
