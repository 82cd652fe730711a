import * as path from "path";
import { parseFlags, requireFlag } from "../args";
import { loadConfig } from "../config";
import { UsageError } from "../errors";
import { serveWarehouseArgs } from "../deploy/serve-container";
import { warehouseFlags, warehouseTarget, withWarehouse, type WarehouseTarget } from "../warehouse";
import type { ModelRegistry } from "../models/registry";

export const modelsUsage = `rox models register --from <trained model folder|gs://…/model> [--alias challenger]…
          | list [<name>] | show <name[@alias|@version]>
          | promote <name@version|@alias> [--to champion] [--force] [--wait <s, 60>] [--vertex [--dry-run]]
          | upload <name@…> [--dry-run] (Vertex AI)
          | evaluate <name@…>… --on <table> --from YYYY-MM-DD --to YYYY-MM-DD
          [--store <.rox/models|gs://bucket/prefix>] [--storage-endpoint URL] [--warehouse <file.duckdb>|bigquery --project P --dataset D]`;

const flags = {
  from: { type: "string" },
  to: { type: "string" },
  alias: { type: "string", multiple: true },
  force: { type: "boolean" },
  wait: { type: "string" },
  on: { type: "string" },
  store: { type: "string" },
  "storage-endpoint": { type: "string" },
  project: { type: "string" },
  config: { type: "string" },
  "schemas-dir": { type: "string" },
  vertex: { type: "boolean" },
  "dry-run": { type: "boolean" },
  endpoint: { type: "string" },
  region: { type: "string" },
  ...warehouseFlags,
} as const;

type Values = ReturnType<typeof parseFlags<typeof flags>>["values"];

/** `rox models <verb>`: the registry over the warehouse's `models` table and the model store. */
export async function modelsCommand(argv: string[]): Promise<unknown> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseFlags(rest, flags, true);
  const target = modelsWarehouse(values);
  if (verb === "promote" && target.kind === "duckdb" && !values.vertex)
    return promoteLocally(values, positionals, target);
  if (values.wait !== undefined)
    throw new UsageError("--wait applies only to rox models promote on a DuckDB warehouse");
  return withWarehouse(target, async (warehouse) => {
    const { openRegistry } = await import("../models/open-registry");
    const registry = openRegistry(
      warehouse,
      target,
      values.store ?? storeOf(values.config),
      values["storage-endpoint"],
    );
    if (verb !== "register") return runVerb(verb, registry, values, positionals);
    // The folder a trainer wrote: local, or a Vertex AI CustomJob's gs://…/model (the ML pipeline's register step).
    const { withModelFolder } = await import("../models/model-store");
    const storage = { projectId: target.kind === "bigquery" ? target.projectId : values.project };
    return withModelFolder(
      requireFlag(values.from, "from"),
      { ...storage, apiEndpoint: values["storage-endpoint"] },
      (dir) => runVerb(verb, registry, { ...values, from: dir }, positionals),
    );
  });
}

/**
 * `rox models promote` on a DuckDB file: here, or — when a running job holds the file — handed to that job (`rox
 * stream --score` takes it before its next micro-batch); `--wait` bounds how long a job has to take and answer it.
 */
async function promoteLocally(
  values: Values,
  positionals: string[],
  target: Extract<WarehouseTarget, { kind: "duckdb" }>,
): Promise<unknown> {
  const { promoteOnDuckDb, DEFAULT_PROMOTE_WAIT_SECONDS } = await import("../models/promote-local");
  const { parseModelRef } = await import("../models/model-ref");
  const ref = one(positionals, "promote");
  parseModelRef(ref);
  const alias = await aliasOf(values);
  const waitSeconds = values.wait === undefined ? DEFAULT_PROMOTE_WAIT_SECONDS : Number(values.wait);
  if (!(Number.isFinite(waitSeconds) && waitSeconds > 0 && waitSeconds <= 3600))
    throw new UsageError(`--wait must be a number of seconds, more than 0 and at most 3600 (got "${values.wait}")`);
  const schemasDir = values["schemas-dir"] === undefined ? undefined : path.resolve(values["schemas-dir"]);
  const result = await promoteOnDuckDb({
    ref,
    alias,
    force: values.force ?? false,
    schemasDir,
    target,
    store: values.store ?? storeOf(values.config),
    storageEndpoint: values["storage-endpoint"],
    waitSeconds,
    log: (line) => console.error(`rox models promote: ${line}`),
  });
  return (await import("../models/verbs")).printPromotion(result);
}

async function runVerb(
  verb: string | undefined,
  registry: ModelRegistry,
  values: Values,
  positionals: string[],
): Promise<unknown> {
  const verbs = await import("../models/verbs");
  switch (verb) {
    case "register":
      return verbs.register(registry, requireFlag(values.from, "from"), values.alias ?? []);
    case "list":
      return verbs.list(registry, positionals[0]);
    case "show":
      return verbs.show(registry, one(positionals, "show"));
    case "promote": {
      const vertex = values.vertex ? await vertexOf(values) : undefined;
      return verbs.promote(registry, one(positionals, "promote"), await aliasOf(values), {
        force: values.force ?? false,
        schemasDir: values["schemas-dir"],
        vertex,
      });
    }
    case "upload":
      return verbs.upload(registry, one(positionals, "upload"), {
        ...(await vertexOf(values)),
        serveArgs: servingWarehouse(modelsWarehouse(values)),
      });
    case "evaluate":
      if (positionals.length === 0) throw new UsageError("rox models evaluate needs at least one model");
      return verbs.evaluate(
        registry,
        positionals,
        requireFlag(values.on, "on"),
        { from: requireFlag(values.from, "from"), to: requireFlag(values.to, "to") },
        values["schemas-dir"],
      );
    default:
      throw new UsageError(`rox models: unknown verb "${verb ?? ""}"\n  ${modelsUsage}`);
  }
}

/** `--to`, default `champion`: an alias by the registry's rule. */
async function aliasOf(values: Values): Promise<string> {
  const { ALIAS } = await import("../models/model-ref");
  const alias = values.to ?? "champion";
  if (!ALIAS.test(alias)) throw new UsageError(`--to "${alias}" is not an alias (${ALIAS})`);
  return alias;
}

async function vertexOf(values: Values) {
  const { readVertexModelSettings } = await import("../models/vertex-settings");
  const config = loadConfig(values.config);
  return {
    settings: readVertexModelSettings(config, values),
    dryRun: values["dry-run"] ?? false,
    endpoint: values.endpoint,
  };
}

/** The registry's warehouse as the serving container's flags, when a container can reach it (BigQuery). */
function servingWarehouse(target: WarehouseTarget): string[] | undefined {
  return target.kind === "bigquery" ? serveWarehouseArgs(target) : undefined;
}

function one(positionals: string[], verb: string): string {
  if (positionals.length !== 1) throw new UsageError(`rox models ${verb} takes one model (name@alias or name@version)`);
  return positionals[0];
}

function modelsWarehouse(values: Values): WarehouseTarget {
  const project = values.project ?? loadConfig(values.config).project;
  return warehouseTarget({
    warehouse: values.warehouse,
    project,
    dataset: values.dataset,
    location: values.location,
    "bigquery-endpoint": values["bigquery-endpoint"],
  });
}

/** `"models": {"store": "gs://…"}` in rox.config.json. */
export function storeOf(configFile: string | undefined): string | undefined {
  const section = loadConfig(configFile).models as { store?: unknown } | undefined;
  return typeof section?.store === "string" ? section.store : undefined;
}
