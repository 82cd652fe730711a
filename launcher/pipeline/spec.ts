/** The compiled KFP v2 pipeline (PipelineSpec as JSON): compiled by the real `kfp` compiler, read here without it. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { mlCommand } from "../models/python";

export interface ContainerSpec {
  image: string;
  command: string[];
  args: string[];
}

type ParameterSource =
  | { componentInputParameter: string }
  | { runtimeValue: { constant: unknown } }
  | { taskOutputParameter: { outputParameterKey: string; producerTask: string } };

export interface PipelineTask {
  componentRef: { name: string };
  dependentTasks?: string[];
  inputs?: { parameters?: Record<string, ParameterSource> };
  taskInfo: { name: string };
}

export interface PipelineSpec {
  pipelineInfo: { name: string };
  components: Record<string, { executorLabel: string }>;
  deploymentSpec: { executors: Record<string, { container: ContainerSpec }> };
  root: {
    dag: { tasks: Record<string, PipelineTask> };
    inputDefinitions?: { parameters?: Record<string, { defaultValue?: unknown }> };
  };
}

/** `python -m rox_ml.pipeline`: the real KFP compiler writes the spec (JSON for a `.json` file, else YAML). */
export function compilePipeline(out: string, image?: string): void {
  const { command, env } = mlCommand("pipeline");
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const [program, ...args] = command;
  execFileSync(program, [...args, "--out", out, ...(image ? ["--image", image] : [])], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

export function readPipelineSpec(file: string): PipelineSpec {
  return JSON.parse(fs.readFileSync(file, "utf8")) as PipelineSpec;
}

/** The tasks in an order where each comes after the tasks it depends on. */
export function taskOrder(spec: PipelineSpec): string[] {
  const tasks = spec.root.dag.tasks;
  const done: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (done.includes(name)) return;
    if (path.includes(name))
      throw new Error(`pipeline tasks depend on each other in a cycle: ${[...path, name].join(" → ")}`);
    for (const dep of tasks[name].dependentTasks ?? []) visit(dep, [...path, name]);
    done.push(name);
  };
  Object.keys(tasks)
    .sort()
    .forEach((name) => visit(name, []));
  return done;
}

export function containerOf(spec: PipelineSpec, task: PipelineTask): ContainerSpec {
  const label = spec.components[task.componentRef.name].executorLabel;
  return spec.deploymentSpec.executors[label].container;
}
