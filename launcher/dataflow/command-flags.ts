import { optionalNumber } from "../args";
import { UsageError } from "../errors";
import type { DataflowEnvironment, DataflowFlags } from "./settings";

/** The flags every Dataflow command shares (`parseArgs` options), and the launch-shaping ones of launch and update. */
export const TARGET_OPTIONS = {
  project: { type: "string" },
  region: { type: "string" },
  config: { type: "string" },
  endpoint: { type: "string" },
  "dry-run": { type: "boolean" },
} as const;

export const LAUNCH_OPTIONS = {
  ...TARGET_OPTIONS,
  schema: { type: "string" },
  "schemas-dir": { type: "string" },
  input: { type: "string" },
  date: { type: "string" },
  subscription: { type: "string" },
  dataset: { type: "string" },
  param: { type: "string", multiple: true },
  "job-name": { type: "string" },
  template: { type: "string" },
  metadata: { type: "string" },
  "temp-location": { type: "string" },
  "staging-location": { type: "string" },
  "service-account": { type: "string" },
  network: { type: "string" },
  subnetwork: { type: "string" },
  "machine-type": { type: "string" },
  "max-workers": { type: "string" },
  "num-workers": { type: "string" },
  label: { type: "string", multiple: true },
} as const;

export type LaunchValues = {
  [K in keyof typeof LAUNCH_OPTIONS]?: (typeof LAUNCH_OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof LAUNCH_OPTIONS)[K]["type"] extends "boolean"
      ? boolean
      : string;
};

/** Settings given as flags (they win over rox.config.json). */
export function dataflowFlagsOf(values: LaunchValues): DataflowFlags {
  const environment: DataflowEnvironment = {
    tempLocation: values["temp-location"],
    stagingLocation: values["staging-location"],
    serviceAccountEmail: values["service-account"],
    network: values.network,
    subnetwork: values.subnetwork,
    machineType: values["machine-type"],
    maxWorkers: optionalNumber(values["max-workers"], "max-workers"),
    numWorkers: optionalNumber(values["num-workers"], "num-workers"),
  };
  return {
    project: values.project,
    region: values.region,
    template: values.template,
    metadataFile: values.metadata,
    environment,
    labels: keyValues(values.label, "label"),
  };
}

/** `--param name=value` flags plus `--dataset`, the one parameter every template requires. */
export function launchParametersOf(values: LaunchValues): Record<string, string> {
  return { ...(values.dataset ? { dataset: values.dataset } : {}), ...keyValues(values.param, "param") };
}

/** Repeated `--flag key=value` → an object; the first `=` splits, so values may contain `=`. */
export function keyValues(items: readonly string[] | undefined, flag: string): Record<string, string> {
  const pairs = (items ?? []).map((item) => {
    const at = item.indexOf("=");
    if (at <= 0) throw new UsageError(`--${flag} must be key=value (got "${item}")`);
    return [item.slice(0, at), item.slice(at + 1)] as const;
  });
  return Object.fromEntries(pairs);
}
