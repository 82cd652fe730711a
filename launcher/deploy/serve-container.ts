/**
 * What the serving image (docker/serve.Dockerfile) needs from the platform that runs it, in one place for Cloud Run
 * services and Vertex AI models: which model, which store, which warehouse (as environment variables the image's
 * entry point turns into `rox serve` flags), the port and the routes.
 */
import { UsageError } from "../errors";
import type { WarehouseTarget } from "../warehouse";

/** The port the image's `rox serve` listens on (Cloud Run passes it as PORT, Vertex AI as AIP_HTTP_PORT). */
export const SERVE_PORT = 8080;
export const SERVE_PREDICT_ROUTE = "/predict";
/** Answers only once the model is loaded: readiness for both platforms. */
export const SERVE_HEALTH_ROUTE = "/health";

export interface ServeContainer {
  /** `name@alias` or `name@version`. */
  model: string;
  /** The registry's model store: gs://… (the container's disk starts empty). */
  store: string;
  /** `rox serve`'s warehouse flags: where the registry and the online window lookups live. */
  serveArgs: string[];
}

export function serveEnv(c: ServeContainer): { name: string; value: string }[] {
  if (!c.store.startsWith("gs://"))
    throw new UsageError(`--store must be gs://… for a container: its disk starts empty (got "${c.store}")`);
  return [
    { name: "ROX_MODEL", value: c.model },
    { name: "ROX_MODEL_STORE", value: c.store },
    { name: "ROX_SERVE_ARGS", value: c.serveArgs.join(" ") },
  ];
}

/** A container reaches BigQuery, never this machine's DuckDB file. */
export function serveWarehouseArgs(target: WarehouseTarget): string[] {
  if (target.kind !== "bigquery")
    throw new UsageError(
      "the serving container serves from BigQuery (registry, window lookups): pass --warehouse bigquery --dataset D",
    );
  const args = ["--warehouse", "bigquery", "--project", target.projectId, "--dataset", target.dataset];
  return target.location ? [...args, "--location", target.location] : args;
}
