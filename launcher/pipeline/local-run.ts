/**
 * `rox pipeline run --local`: the compiled pipeline's tasks, in dependency order, each run as the local process its
 * container would run (`rox …` → this rox), with the placeholders KFP would fill: the task's input parameters (the
 * pipeline's, constants, or an upstream task's output) and the file its output parameter is written to.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../models/python";
import { containerOf, taskOrder, type PipelineSpec, type PipelineTask } from "./spec";
import { EXIT_CODE_OF_KIND, RoxError } from "../../errors/rox-error";

export class PipelineStepFailedError extends RoxError {
  readonly kind = "run-failed";
  constructor(task: string, code: number | null) {
    const why =
      code === EXIT_CODE_OF_KIND.alert ? ": a monitoring alert (fail_on_alert=false records it and goes on)" : "";
    super(`pipeline step "${task}" exited with code ${code}${why}`);
    this.name = "PipelineStepFailedError";
  }
}

export interface LocalRunResult {
  tasks: { name: string; display: string; argv: string[]; outputs: Record<string, string> }[];
}

export async function runPipelineLocally(
  spec: PipelineSpec,
  parameters: Record<string, string>,
  opts: { rox?: string[] } = {},
): Promise<LocalRunResult> {
  const defaults = Object.fromEntries(
    Object.entries(spec.root.inputDefinitions?.parameters ?? {}).map(([k, v]) => [k, String(v.defaultValue ?? "")]),
  );
  const values = { ...defaults, ...parameters };
  const outputs: Record<string, Record<string, string>> = {};
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rox-pipeline-"));
  const result: LocalRunResult = { tasks: [] };
  try {
    for (const name of taskOrder(spec)) {
      const task = spec.root.dag.tasks[name];
      const files: Record<string, string> = {};
      const argv = filledCommand(
        spec,
        task,
        inputsOf(task, values, outputs),
        (key) => (files[key] = path.join(scratch, `${name}-${key}`)),
      );
      console.log(`\n== pipeline step ${task.taskInfo.name}: ${argv.join(" ")}`);
      await runRox(name, argv, opts.rox ?? [process.execPath, roxBin()]);
      outputs[name] = Object.fromEntries(
        Object.entries(files).map(([key, file]) => [key, fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""]),
      );
      result.tasks.push({ name, display: task.taskInfo.name, argv, outputs: outputs[name] });
    }
    return result;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function inputsOf(
  task: PipelineTask,
  values: Record<string, string>,
  outputs: Record<string, Record<string, string>>,
): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [key, source] of Object.entries(task.inputs?.parameters ?? {})) {
    if ("componentInputParameter" in source) inputs[key] = values[source.componentInputParameter] ?? "";
    else if ("runtimeValue" in source) inputs[key] = String(source.runtimeValue.constant ?? "");
    else
      inputs[key] =
        outputs[source.taskOutputParameter.producerTask]?.[source.taskOutputParameter.outputParameterKey] ?? "";
  }
  return inputs;
}

const INPUT = /\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}/g;
const OUTPUT_FILE = /\{\{\$\.outputs\.parameters\['([^']+)'\]\.output_file\}\}/g;

function filledCommand(
  spec: PipelineSpec,
  task: PipelineTask,
  inputs: Record<string, string>,
  outputFile: (key: string) => string,
): string[] {
  const container = containerOf(spec, task);
  return [...container.command, ...container.args].map((arg) =>
    arg.replace(INPUT, (_, key: string) => inputs[key] ?? "").replace(OUTPUT_FILE, (_, key: string) => outputFile(key)),
  );
}

function roxBin(): string {
  return path.join(repoRoot(), "bin", "rox.js");
}

/** `rox <args>` as a child process; its output goes to this one's. */
function runRox(task: string, argv: string[], rox: string[]): Promise<void> {
  const [program, ...prefix] = rox;
  const args = argv[0] === "rox" ? [...prefix, ...argv.slice(1)] : argv;
  const child = spawn(argv[0] === "rox" ? program : argv[0], argv[0] === "rox" ? args : argv.slice(1), {
    stdio: ["ignore", "inherit", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve() : reject(new PipelineStepFailedError(task, code))));
  });
}
