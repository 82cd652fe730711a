import { optionalNumber, parseFlags, requireFlag } from "../args";
import { UsageError } from "../errors";
import { checkNumberFlag } from "../number-flags";
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

type ServeValues = ReturnType<typeof parseFlags<typeof serveFlags>>["values"];

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
    ...serveSettings(values, env),
  });
}

/**
 * Where and how to listen: `--port`, else Vertex's `AIP_HTTP_PORT`, else Cloud Run's `PORT`, else 8080; the routes
 * and the deployed model's id from Vertex's variables; the limits from the flags.
 */
export function serveSettings(values: ServeValues, env: NodeJS.ProcessEnv) {
  return {
    host: values.host ?? "0.0.0.0",
    port: optionalNumber(values.port, "port") ?? envPort("AIP_HTTP_PORT", env) ?? envPort("PORT", env) ?? 8080,
    predictRoute: route("AIP_PREDICT_ROUTE", env.AIP_PREDICT_ROUTE) ?? "/predict",
    healthRoute: route("AIP_HEALTH_ROUTE", env.AIP_HEALTH_ROUTE) ?? "/health",
    deployedModelId: env.AIP_DEPLOYED_MODEL_ID || undefined,
    maxBodyBytes: optionalNumber(values["max-body-bytes"], "max-body-bytes") ?? 1_572_864,
    maxInstances: optionalNumber(values["max-instances"], "max-instances") ?? 1_000,
    cacheTtlSeconds: optionalNumber(values["cache-ttl"], "cache-ttl") ?? 30,
    reloadEverySeconds: optionalNumber(values["reload-every"], "reload-every") ?? 30,
  };
}

function envPort(name: string, env: NodeJS.ProcessEnv): number | undefined {
  const text = env[name];
  if (!text) return undefined;
  try {
    return checkNumberFlag("port", text);
  } catch (err) {
    throw new UsageError(`${name} ${(err as Error).message.replace(/^--port /, "")}`);
  }
}

function route(name: string, value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!value.startsWith("/")) throw new UsageError(`${name} must be a path starting with "/" (got "${value}")`);
  return value;
}
