import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireFlag } from "../args";
import { UsageError } from "../errors";
import type { PipelineValues } from "./values";
import { checkDay, resolveDay } from "../models/day";
import { compilePipeline, readPipelineSpec } from "./spec";
import { runPipelineLocally, type LocalRunResult } from "./local-run";
import { runStep, STEPS, writeResult, type Cli, type StepName } from "./steps";

/** The pipeline's parameters from flags: `--day`, `--input-template`, and `--param name=value` for the rest. */
export function pipelineParameters(values: PipelineValues): Record<string, string> {
  const parameters: Record<string, string> = { day: checkDay(requireFlag(values.day, "day"), "day") };
  if (values["input-template"]) parameters.input_template = values["input-template"];
  for (const pair of values.param ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param must be name=value (got "${pair}")`);
    parameters[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return parameters;
}

/** Compiles the spec (unless `--spec` names one) and runs its steps here, with `platform=local`. */
export async function runLocal(values: PipelineValues): Promise<LocalRunResult> {
  const parameters = { platform: "local", ...pipelineParameters(values) };
  if (parameters.platform !== "local")
    throw new UsageError("rox pipeline run --local runs the steps with platform=local");
  let spec = values.spec;
  const scratch = spec ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "rox-pipeline-spec-"));
  try {
    if (!spec) compilePipeline((spec = path.join(scratch!, "pipeline.json")));
    return await runPipelineLocally(readPipelineSpec(spec), parameters);
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export async function runOneStep(name: string | undefined, values: PipelineValues, cli: Cli): Promise<string> {
  if (!STEPS.includes(name as StepName))
    throw new UsageError(`rox pipeline step: the step is one of ${STEPS.join(", ")} (got "${name ?? ""}")`);
  const platform = values.platform ?? "local";
  if (platform !== "local" && platform !== "gcp")
    throw new UsageError(`--platform must be local or gcp (got "${platform}")`);
  const options = {
    day: resolveDay(requireFlag(values.day, "day"), Date.now(), "Etc/UTC", "day"),
    schema: values.schema ?? "flights",
    model: values.model ?? "flights-delay",
    inputTemplate: values["input-template"] ?? "",
    platform: platform as "local" | "gcp",
    warehouse: values.warehouse ?? "",
    store: values.store ?? "",
    upstream: values.upstream ?? "",
    failOnAlert: flagBoolean(values["fail-on-alert"] ?? "true", "fail-on-alert"),
  };
  const result = await runStep(name as StepName, options, cli);
  writeResult(values["result-file"], result);
  return result;
}

/** A KFP parameter is text: `--fail-on-alert true|false`. */
function flagBoolean(value: string, name: string): boolean {
  if (value === "true" || value === "false") return value === "true";
  throw new UsageError(`--${name} must be true or false (got "${value}")`);
}
