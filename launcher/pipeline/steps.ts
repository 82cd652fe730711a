/**
 * `rox pipeline step <name>`: what each step of the ML pipeline runs, inside its container on Vertex AI Pipelines or
 * Kubeflow (`--platform gcp`) and as a local process (`--platform local`). A step is the rox command a person would
 * type; its one-line result (the model folder, the version…) goes to `--result-file`, KFP's output parameter.
 */
import * as fs from "fs";
import { loadContract } from "../../schemas/load";
import { UsageError } from "../errors";
import type { TrainResult } from "../train/train-run";
import type { RegisterResult } from "../models/registry";
import type { PromoteResult } from "../models/promote";
import type { MonitorResult } from "../monitor/monitor-day";

export const STEPS = ["ingest", "train", "register", "promote", "score", "monitor"] as const;
export type StepName = (typeof STEPS)[number];

export interface StepOptions {
  day: string;
  schema: string;
  model: string;
  inputTemplate: string;
  platform: "local" | "gcp";
  /** Local: a DuckDB file ("" = the default). Google Cloud: `project.dataset` of the BigQuery warehouse. */
  warehouse: string;
  /** The model store: a folder locally ("" = .rox/models), `gs://bucket/prefix` on Google Cloud. */
  store: string;
  /** The upstream step's result. */
  upstream: string;
  /** The monitor step: an alert fails the step (exit 11), and so the run. */
  failOnAlert: boolean;
}

/** Runs a rox command in this process: `["score", "--model", …]`. */
export type Cli = (argv: string[]) => Promise<unknown>;

export async function runStep(name: StepName, o: StepOptions, cli: Cli): Promise<string> {
  const where = warehouseArgs(o);
  const store = o.store ? ["--store", o.store] : [];
  switch (name) {
    case "ingest":
      return ingest(o, where, cli);
    case "train":
      return train(o, where, store, cli);
    case "register": {
      const { model } = (await cli([
        "models",
        "register",
        "--from",
        required(o.upstream, "the trained model's folder"),
        ...where,
        ...store,
      ])) as RegisterResult;
      return `${model.name}@${model.version}`;
    }
    case "promote":
      return promote(o, where, store, cli);
    case "score": {
      const table = loadContract(o.schema).table;
      await cli([
        "score",
        "--model",
        `${o.model}@champion`,
        "--on",
        table,
        "--partition",
        o.day,
        ...where,
        ...store,
        ...(o.platform === "gcp" ? ["--target", "vertex-batch"] : []),
      ]);
      return `scored ${table} ${o.day} with ${o.model}@champion`;
    }
    case "monitor":
      return monitor(o, where, store, cli);
  }
}

/**
 * The trained model's folder, for the register step: locally the trainer's output; on Google Cloud the CustomJob is
 * waited for until it ends (a failed job fails the step with its error) and the folder is its AIP_MODEL_DIR.
 */
async function train(o: StepOptions, where: string[], store: string[], cli: Cli): Promise<string> {
  const cloud = o.platform === "gcp" ? ["--target", "vertex-custom-job", "--wait-until-done"] : [];
  const result = (await cli(["train", "--model", o.model, ...where, ...store, ...cloud])) as TrainResult;
  const folder = result.local?.modelDir ?? result.job?.modelDir;
  if (!folder) throw new Error(`rox train reported no model folder (${result.job?.name ?? "no job"})`);
  return folder;
}

/**
 * The scored day against the champion's card, in the step's warehouse (DuckDB locally, BigQuery on Google Cloud); with
 * `failOnAlert` an alert exits 11 and the run stops.
 */
async function monitor(o: StepOptions, where: string[], store: string[], cli: Cli): Promise<string> {
  const table = loadContract(o.schema).table;
  const model = `${o.model}@champion`;
  const argv = ["monitor", "--model", model, "--on", table, "--partition", o.day, ...where, ...store];
  const result = (await cli([...argv, ...(o.failOnAlert ? ["--fail-on-alert"] : [])])) as MonitorResult;
  const { scope: s, rows, alerts } = result;
  return `monitored ${table} ${o.day} with ${s.model}@${s.version}: ${rows.length} rows, ${alerts.length} alert(s)`;
}

/** Locally the batch job commits as it goes; on Google Cloud the Flex Template job is waited for and its run committed. */
async function ingest(o: StepOptions, where: string[], cli: Cli): Promise<string> {
  const template = required(o.inputTemplate, "--input-template (with {date})");
  if (o.platform === "local") {
    await cli(["batch", "--input", template.replace(/\{date\}/g, o.day), "--schema", o.schema, ...where]);
  } else {
    await cli([
      "launch",
      "batch",
      "--schema",
      o.schema,
      "--input",
      template,
      "--date",
      o.day,
      "--wait-until-done",
      ...where.filter((a) => a !== "bigquery" && a !== "--warehouse"),
    ]);
  }
  return `ingested ${o.schema} ${o.day}`;
}

/** The gate refusing is an answer, not a failure: the champion stays and the day is scored with it. */
async function promote(o: StepOptions, where: string[], store: string[], cli: Cli): Promise<string> {
  try {
    const result = (await cli([
      "models",
      "promote",
      required(o.upstream, "the registered model"),
      ...where,
      ...store,
    ])) as PromoteResult;
    return `${result.model.name}@${result.model.version} is champion`;
  } catch (err) {
    if ((err as Error).name !== "PromotionRefusedError") throw err;
    console.log(`kept the champion: ${(err as Error).message}`);
    return `kept the champion (${o.upstream} refused)`;
  }
}

function warehouseArgs(o: StepOptions): string[] {
  if (o.platform === "local") return o.warehouse ? ["--warehouse", o.warehouse] : [];
  const [project, dataset] = required(o.warehouse, "--warehouse <project.dataset>").split(".");
  if (!project || !dataset)
    throw new UsageError(`--warehouse must be <project>.<dataset> on Google Cloud (got "${o.warehouse}")`);
  return ["--warehouse", "bigquery", "--project", project, "--dataset", dataset];
}

function required(value: string, what: string): string {
  if (!value) throw new UsageError(`this step needs ${what}`);
  return value;
}

export function writeResult(file: string | undefined, result: string): void {
  if (file) fs.writeFileSync(file, result);
  console.log(`step result: ${result}`);
}
