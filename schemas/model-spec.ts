/**
 * A model spec (`schemas/models/<name>.json`): what a model predicts, from which schema's events, and its features in
 * order. A feature is an events-table column, or a column of one of the schema's window tables taken point in time:
 * the window that ended at or before the event (the last complete one: nothing from the event's own window, no leak).
 * The trainer copies the features into the model card; every job reads features through the card.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Contract } from "./contract";
import { loadContract, schemasDir } from "./load";
import { SchemaError } from "./schema-error";

export type FeatureKind = "number" | "category";

export interface ModelFeature {
  name: string;
  kind: FeatureKind;
  /** A window of the schema (`origin_hourly`): the feature is that window table's `column`, point in time. */
  window?: string;
  column?: string;
  /** The value when the event's origin had no window row before it (e.g. 0 flights); else the feature is missing. */
  whenNoWindow?: number;
  /** A missing value is part of the model (XGBoost's default branch), not a bad record. */
  nullable?: boolean;
}

export interface ModelSpec {
  name: string;
  doc?: string;
  schema: string;
  target: string;
  unit?: string;
  features: ModelFeature[];
  trainer: Record<string, unknown>;
  split: { by: "time"; testFraction: number };
}

export const MODEL_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export function modelSpecsDir(dir?: string): string {
  return path.join(dir ?? schemasDir(), "models");
}

/** `schemas/models/<name>.json`, checked against its schema contract. Throws SchemaError. */
export function loadModelSpec(name: string, opts: { dir?: string } = {}): ModelSpec {
  if (!MODEL_NAME.test(name)) throw new SchemaError("not_found", `model name ${JSON.stringify(name)} must match ${MODEL_NAME}`);
  const file = path.join(modelSpecsDir(opts.dir), `${name}.json`);
  if (!fs.existsSync(file)) throw new SchemaError("not_found", `no model spec ${file}`);
  const spec = JSON.parse(fs.readFileSync(file, "utf8")) as ModelSpec;
  if (spec.name !== name) throw new SchemaError("invalid_attribute", `${file}: "name" must be "${name}"`);
  checkSpec(spec, loadContract(spec.schema, { dir: opts.dir }), file);
  return spec;
}

/** The model specs whose events come from `table`. */
export function modelSpecsOf(contract: Contract, dir?: string): ModelSpec[] {
  const folder = modelSpecsDir(dir);
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder).filter((f) => f.endsWith(".json")).map((f) => loadModelSpec(f.slice(0, -5), { dir })).filter((s) => s.schema === contract.name);
}

function checkSpec(spec: ModelSpec, contract: Contract, file: string): void {
  const fail = (message: string) => {
    throw new SchemaError("invalid_attribute", `${file}: ${message}`);
  };
  const columns = new Set([...contract.fields.map((f) => f.name), ...(contract.features?.event ?? []).map((f) => f.name)]);
  if (!columns.has(spec.target)) fail(`target "${spec.target}" is not a column of ${contract.table}`);
  if (!Array.isArray(spec.features) || spec.features.length === 0) fail("features must be a non-empty list");
  const seen = new Set<string>();
  for (const f of spec.features) {
    if (!/^[a-z_][a-z0-9_]*$/.test(f.name) || seen.has(f.name)) fail(`feature name "${f.name}" is not a unique column name`);
    seen.add(f.name);
    if (f.kind !== "number" && f.kind !== "category") fail(`feature ${f.name}: kind must be number or category`);
    if (f.name === spec.target) fail(`feature ${f.name} is the target`);
    if (f.window === undefined) {
      if (!columns.has(f.name)) fail(`feature ${f.name} is not a column of ${contract.table}`);
      continue;
    }
    const window = contract.features?.windows.find((w) => w.name === f.window);
    if (!window) fail(`feature ${f.name}: schema ${contract.name} has no window "${f.window}"`);
    if (!window!.columns.some((c) => c.name === f.column)) fail(`feature ${f.name}: window ${f.window} has no column "${f.column}"`);
  }
  if (!(spec.split?.testFraction > 0 && spec.split.testFraction < 1)) fail("split.testFraction must be between 0 and 1");
}
