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
  /** How `rox monitor` watches it (copied into the card); the config's `monitoring.features` wins over this. */
  monitor?: FeatureMonitoring;
}

export interface FeatureMonitoring {
  threshold?: number;
  errorThreshold?: number;
  /**
   * false: no drift row for it (its missing rate is still watched) — for a feature that is constant within a
   * monitored day, such as the weekday, whose distribution on one day cannot match a baseline of several.
   */
  drift?: boolean;
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
  if (!MODEL_NAME.test(name))
    throw new SchemaError("not_found", `model name ${JSON.stringify(name)} must match ${MODEL_NAME}`);
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
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith(".json"))
    .map((f) => loadModelSpec(f.slice(0, -5), { dir }))
    .filter((s) => s.schema === contract.name);
}

function checkSpec(spec: ModelSpec, contract: Contract, file: string): void {
  const fail = (message: string) => {
    throw new SchemaError("invalid_attribute", `${file}: ${message}`);
  };
  const columns = new Set([
    ...contract.fields.map((f) => f.name),
    ...(contract.features?.event ?? []).map((f) => f.name),
  ]);
  if (!columns.has(spec.target)) fail(`target "${spec.target}" is not a column of ${contract.table}`);
  if (!Array.isArray(spec.features) || spec.features.length === 0) fail("features must be a non-empty list");
  const seen = new Set<string>();
  for (const f of spec.features) {
    if (!/^[a-z_][a-z0-9_]*$/.test(f.name) || seen.has(f.name))
      fail(`feature name "${f.name}" is not a unique column name`);
    seen.add(f.name);
    if (f.kind !== "number" && f.kind !== "category") fail(`feature ${f.name}: kind must be number or category`);
    if (f.name === spec.target) fail(`feature ${f.name} is the target`);
    const monitorProblem = featureMonitoringProblem(f.monitor);
    if (monitorProblem) fail(`feature ${f.name}: monitor.${monitorProblem}`);
    if (f.window === undefined) {
      if (!columns.has(f.name)) fail(`feature ${f.name} is not a column of ${contract.table}`);
      continue;
    }
    const window = contract.features?.windows.find((w) => w.name === f.window);
    if (!window) fail(`feature ${f.name}: schema ${contract.name} has no window "${f.window}"`);
    if (!window!.columns.some((c) => c.name === f.column))
      fail(`feature ${f.name}: window ${f.window} has no column "${f.column}"`);
  }
  if (!(spec.split?.testFraction > 0 && spec.split.testFraction < 1))
    fail("split.testFraction must be between 0 and 1");
}

function featureMonitoringProblem(m: FeatureMonitoring | undefined): string | undefined {
  if (m === undefined) return undefined;
  if (typeof m !== "object" || m === null) return "(monitor) must be an object";
  const unknown = Object.keys(m).find((k) => !["threshold", "errorThreshold", "drift"].includes(k));
  if (unknown) return `${unknown} is not threshold, errorThreshold or drift`;
  for (const k of ["threshold", "errorThreshold"] as const) {
    const v = m[k];
    if (v !== undefined && !(typeof v === "number" && v > 0 && v <= 1)) return `${k} must be a number in (0, 1]`;
  }
  if (m.drift !== undefined && typeof m.drift !== "boolean") return "drift must be true or false";
  return undefined;
}
