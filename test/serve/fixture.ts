/**
 * What the server tests share: real flights through the batch job into a DuckDB warehouse, two XGBoost models trained
 * on them by the real trainer (the second one weak) and registered, version 1 as `champion`. Needs the models'
 * Python (the callers use `describeNeeds("ml-python")`).
 */
import * as fs from "fs";
import * as path from "path";
import { trainCommand } from "../../launcher/commands/train";
import { modelsCommand } from "../../launcher/commands/models";
import { DUCKDB_FEATURE_SQL, featureRowsSql } from "../../io/feature-query";
import { openRegistry } from "../../launcher/models/open-registry";
import { loadContract } from "../../schemas/load";
import { scoreFeatureRow } from "../../transforms/score/scorer";
import { flightsWarehouse, trainConfig, withDuckDb } from "../models/fixture";

export const DAYS = ["2001-01-08", "2001-01-09", "2001-01-10"];

export interface Served {
  dir: string;
  warehouse: string;
  store: string;
  /** Raw events as the sample wrote them (JSON lines of the input files). */
  events: Record<string, unknown>[];
}

export async function servingFixture(dir: string): Promise<Served> {
  const warehouse = await flightsWarehouse(dir, DAYS, 3000);
  const store = path.join(dir, "models");
  const schemas = path.join(dir, "schemas");
  fs.cpSync(path.join(__dirname, "..", "..", "schemas"), schemas, { recursive: true });
  const specFile = path.join(schemas, "models", "flights-delay.json");
  const spec = JSON.parse(fs.readFileSync(specFile, "utf8"));
  await quietly(async () => {
    const strong = await trainCommand([
      "--model",
      "flights-delay",
      "--warehouse",
      warehouse,
      "--config",
      trainConfig(dir),
    ]);
    await models(warehouse, store, "register", "--from", strong.local!.modelDir, "--alias", "champion");
    fs.writeFileSync(specFile, JSON.stringify({ ...spec, trainer: { ...spec.trainer, rounds: 3, maxDepth: 2 } }));
    const weak = await trainCommand([
      "--model",
      "flights-delay",
      "--warehouse",
      warehouse,
      "--config",
      trainConfig(dir),
      "--schemas-dir",
      schemas,
      "--store",
      store,
    ]);
    await models(warehouse, store, "register", "--from", weak.local!.modelDir);
  });
  const files = fs
    .readdirSync(path.join(dir, "events"))
    .filter((f) => f.endsWith(".jsonl"))
    .sort();
  const lines = files.flatMap((f) => fs.readFileSync(path.join(dir, "events", f), "utf8").split("\n"));
  const events = lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { dir, warehouse, store, events };
}

export function models(warehouse: string, store: string, ...args: string[]): Promise<unknown> {
  return quietly(() => modelsCommand([...args, "--warehouse", warehouse, "--store", store]));
}

/** The batch path's predictions (the feature query, then the scorer) of `version` for events by id. */
export async function batchPredictions(s: Served, version: number, ids: string[]): Promise<Map<string, number>> {
  return withDuckDb(s.warehouse, async (warehouse) => {
    const registry = openRegistry(warehouse, { kind: "duckdb", file: s.warehouse }, s.store);
    const scorer = await registry.scorer(await registry.resolve({ name: "flights-delay", version }));
    const contract = loadContract("flights");
    const sql = featureRowsSql(contract, "delay", scorer.card.features, DUCKDB_FEATURE_SQL);
    const list = ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(", ");
    const rows = await warehouse.query(`SELECT * FROM (${sql}) WHERE event_id IN (${list})`);
    const envelope = { payload: "", source: { uri: "test" }, attempt: 1 };
    return new Map(
      rows.map((r) => {
        const scored = scoreFeatureRow(scorer, r, envelope);
        if (!scored.ok) throw new Error(scored.dead.errorMessage);
        return [String(r.event_id), scored.value];
      }),
    );
  });
}

/** An answer of the server: predictions, or Google's error shape. */
export interface ServeAnswer {
  predictions?: number[];
  model?: string;
  modelVersionId?: string;
  deployedModelId?: string;
  error?: { code: number; message: string; status: string; instances?: Record<string, unknown>[] };
}

export async function postJson(
  url: string,
  body: unknown,
  type = "application/json",
): Promise<{ status: number; body: ServeAnswer }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": type },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** The commands print tables; the tests read their results instead. */
export async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await run();
  } finally {
    console.log = log;
  }
}
