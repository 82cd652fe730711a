import * as fs from "fs";
import * as path from "path";
import { spawn } from "child_process";
import type { Warehouse } from "../../io/ports";
import type { Plan } from "../plan";
import { describeSlice, lineageArgs, lineageEnv, trainingJobId, type TrainingLineage } from "./lineage";
import type { TrainSettings } from "./settings";
import { localJobDirs, vertexTrainingEnv, type LocalJobDirs } from "./trainer-env";
import { exportSliceSql, type ResolvedSlice } from "./warehouse-slice";
import { exampleTrainerCommand } from "./trainer/location";
import { RoxError } from "../../errors/rox-error";

export interface LocalTrainingRequest {
  /** Writes the training slice to `dataUri`. */
  exportSql: string;
  dataUri: string;
  /** The trainer and its arguments (the configured ones, then the lineage). */
  command: string[];
  /** Added to the trainer's environment: Vertex's training contract plus the lineage as `ROX_*`. */
  env: Record<string, string>;
  dirs: LocalJobDirs;
}

export interface LocalTrainingResult {
  jobId: string;
  dataUri: string;
  modelDir: string;
  /** Files the trainer wrote into its model folder. */
  modelFiles: string[];
  /** `metrics.json` from the model folder, when the trainer wrote one. */
  metrics?: Record<string, unknown>;
  /** True when the same data's model was already in its folder and nothing was trained. */
  reused?: boolean;
}

/** A local trainer exited with a failure: its exit code and the last lines it wrote to stderr. */
export class TrainerFailedError extends RoxError {
  readonly kind = "run-failed";
  constructor(
    readonly exitCode: number | null,
    readonly signal: string | null,
    stderrTail: string,
  ) {
    super(
      `the trainer ${signal ? `was killed by ${signal}` : `exited with code ${exitCode}`}${stderrTail ? `:\n${stderrTail}` : ""}`,
    );
    this.name = "TrainerFailedError";
  }
}

export function planLocalTraining(
  lineage: TrainingLineage,
  slice: ResolvedSlice,
  settings: TrainSettings,
): Plan<LocalTrainingRequest> {
  const jobId = trainingJobId(lineage);
  const dirs = localJobDirs(settings.localOutputDir, jobId);
  const dataUri = path.join(dirs.data, "training-00000-of-00001.parquet");
  const env = {
    ...vertexTrainingEnv({ dirs, dataUri, jobId, project: settings.project, region: settings.region }),
    ...lineageEnv(lineage),
  };
  const command = [...(settings.command ?? exampleTrainerCommand()), ...settings.args, ...lineageArgs(lineage)];
  return {
    summary: `train on ${describeSlice(lineage)} (${lineage.rowCount} rows, run ${lineage.runId}) locally as ${jobId}`,
    service: "rox.local",
    method: "train",
    request: { exportSql: exportSliceSql(slice, dataUri), dataUri, command, env, dirs },
  };
}

/** Exports the slice to Parquet, runs the trainer with Vertex's environment, and reports what it wrote. */
export async function applyLocalTraining(
  plan: Plan<LocalTrainingRequest>,
  warehouse: Warehouse,
  opts: { echo?: boolean } = {},
): Promise<LocalTrainingResult> {
  const { dirs, dataUri, exportSql, command, env } = plan.request;
  fs.rmSync(dirs.base, { recursive: true, force: true }); // same data, same folder: a rerun replaces its outputs
  for (const dir of [dirs.data, dirs.model, dirs.checkpoints, dirs.logs]) fs.mkdirSync(dir, { recursive: true });
  await warehouse.query(exportSql);
  await runTrainer(command, env, opts.echo ?? true);
  const metricsFile = path.join(dirs.model, "metrics.json");
  return {
    jobId: env.CLOUD_ML_JOB_ID,
    dataUri,
    modelDir: dirs.model,
    modelFiles: fs.readdirSync(dirs.model).sort(),
    metrics: fs.existsSync(metricsFile)
      ? (JSON.parse(fs.readFileSync(metricsFile, "utf8")) as Record<string, unknown>)
      : undefined,
  };
}

const TAIL_LINES = 20;

function runTrainer(command: string[], env: Record<string, string>, echo: boolean): Promise<void> {
  const [program, ...args] = command;
  const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => echo && process.stdout.write(chunk));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-64 * 1024);
    if (echo) process.stderr.write(chunk);
  });
  return new Promise((resolve, reject) => {
    child.once("error", (err) => reject(new TrainerFailedError(null, null, `cannot start ${program}: ${err.message}`)));
    child.once("close", (code, signal) => {
      if (code === 0) return resolve();
      reject(new TrainerFailedError(code, signal, stderr.trimEnd().split("\n").slice(-TAIL_LINES).join("\n")));
    });
  });
}
