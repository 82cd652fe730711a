/**
 * `rox train --model <name>`: the model spec's feature rows (io/feature-query.ts) → the XGBoost trainer. Locally the
 * rows are exported to Parquet and python/rox_ml/train.py runs with Vertex AI's environment; on Vertex AI (or
 * Kubeflow) the trainer container gets the same rows as a BigQuery query. The champion of the registry, when there is
 * one, is handed to the trainer so its metrics compare both models on the same held-out rows.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Warehouse } from "../../io/ports";
import { DUCKDB_FEATURE_SQL, bigQueryFeatureSql, featureRowsSql, nextDay } from "../../io/feature-query";
import { loadContract } from "../../schemas/load";
import type { ModelSpec } from "../../schemas/model-spec";
import type { Plan } from "../plan";
import { lineageArgs, lineageEnv, lineageOf, type TrainingLineage } from "../train/lineage";
import { applyLocalTraining, type LocalTrainingRequest, type LocalTrainingResult } from "../train/local-train";
import { planCloudTraining, checkTargetReadsWarehouse } from "../train/plan-training";
import type { TrainSettings } from "../train/settings";
import type { SliceDialect } from "../train/slice-dialect";
import { localJobDirs, vertexTrainingEnv } from "../train/trainer-env";
import { NoTrainingDataError, submitCloudTraining, type TrainResult } from "../train/train-run";
import { readSliceFacts, resolveSlice } from "../train/warehouse-slice";
import type { JobPolling } from "../train/vertex-wait";
import { labelValue } from "../train/label-rules";
import { mlCommand } from "./python";

export interface ModelTrainOptions {
  spec: ModelSpec;
  partition?: string;
  settings: TrainSettings;
  warehouse: Warehouse;
  dialect: SliceDialect;
  /** The champion's folder (local) or `gs://` URI (read by a cloud trainer through Cloud Storage FUSE at /gcs/). */
  champion?: string;
  dryRun?: boolean;
  schemasDir?: string;
  vertexEndpoint?: string;
  echo?: boolean;
  /** Train again even when this data's job folder already holds a model (the same data trains the same model). */
  retrain?: boolean;
  /** `vertex-custom-job`: wait for the job to end and report the model's folder (`--wait-until-done`). */
  wait?: JobPolling;
}

export async function runModelTraining(o: ModelTrainOptions): Promise<TrainResult> {
  checkTargetReadsWarehouse(o.settings.target, o.dialect.kind);
  const contract = loadContract(o.spec.schema, { dir: o.schemasDir });
  const slice = resolveSlice(
    { table: contract.table, ...(o.partition ? { partition: o.partition } : {}) },
    o.schemasDir,
  );
  const lineage = lineageOf(await readSliceFacts(o.warehouse, slice, o.dialect), undefined);
  if (!lineage) throw new NoTrainingDataError(slice);
  const filter = o.partition ? { from: o.partition, to: nextDay(o.partition) } : {};
  const base = { target: o.settings.target, lineage, dryRun: o.dryRun ?? false };
  const specArgs = [
    "--spec-json",
    JSON.stringify(o.spec),
    ...(o.champion ? [`--champion-dir=${fuseOf(o.champion)}`] : []),
  ];
  if (o.settings.target === "local") {
    const plan = planLocalModelTraining(
      lineage,
      o.spec,
      o.settings,
      featureRowsSql(contract, o.spec.target, o.spec.features, DUCKDB_FEATURE_SQL, filter),
      specArgs,
    );
    if (base.dryRun) return { ...base, plan };
    const earlier = o.retrain ? undefined : trainedBefore(plan.request);
    return { ...base, plan, local: earlier ?? (await applyLocalTraining(plan, o.warehouse, { echo: o.echo })) };
  }
  const query = featureRowsSql(
    contract,
    o.spec.target,
    o.spec.features,
    bigQueryFeatureSql(bigQueryRefOf(lineage)),
    filter,
  );
  const planned = planCloudTraining(
    o.settings.target,
    { ...lineage, data: { ...lineage.data!, query } },
    { ...o.settings, args: [...o.settings.args, ...specArgs] },
  );
  if (base.dryRun) return { ...base, plan: planned.plan };
  return {
    ...base,
    plan: planned.plan,
    job: await submitCloudTraining(planned, { settings: o.settings, vertexEndpoint: o.vertexEndpoint, wait: o.wait }),
  };
}

/** A model's own job id: `rox-train-<model>-<partition|all>-<data trigger>` (a rerun on the same data reuses the folder). */
export function modelJobId(spec: ModelSpec, lineage: TrainingLineage): string {
  const recipe = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 6);
  return `rox-train-${labelValue(spec.name).slice(0, 50)}-${lineage.partition ?? "all"}-${lineage.trigger}-${recipe}`;
}

function planLocalModelTraining(
  lineage: TrainingLineage,
  spec: ModelSpec,
  settings: TrainSettings,
  featureSql: string,
  specArgs: string[],
): Plan<LocalTrainingRequest> {
  const jobId = modelJobId(spec, lineage);
  const dirs = localJobDirs(settings.localOutputDir, jobId);
  const dataUri = path.join(dirs.data, "features-00000-of-00001.parquet");
  const python = mlCommand("train");
  const env = {
    ...vertexTrainingEnv({ dirs, dataUri, jobId, project: settings.project, region: settings.region }),
    ...lineageEnv(lineage),
    ...python.env,
  };
  return {
    summary: `train ${spec.name} on ${lineage.table}${lineage.partition ? ` ${lineage.partition}` : ""} (${lineage.rowCount} rows, run ${lineage.runId}) locally as ${jobId}`,
    service: "rox.local",
    method: "train",
    request: {
      exportSql: `COPY (${featureSql}) TO ${DUCKDB_FEATURE_SQL.literal(dataUri)} (FORMAT parquet)`,
      dataUri,
      command: [...python.command, ...specArgs, ...lineageArgs(lineage)],
      env,
      dirs,
    },
  };
}

/** `bq://project.dataset.table` → the dataset the feature query names its tables in. */
function bigQueryRefOf(lineage: TrainingLineage): { projectId: string; dataset: string } {
  const [projectId, dataset] = (lineage.data?.uri ?? "").slice("bq://".length).split(".");
  return { projectId, dataset };
}

/** The model this data's job wrote before (same spec, same data, same champion: the same job id), if complete. */
function trainedBefore(request: LocalTrainingRequest): LocalTrainingResult | undefined {
  const modelDir = request.dirs.model;
  const files = ["card.json", "metrics.json", "model.json"];
  if (!files.every((f) => fs.existsSync(path.join(modelDir, f)))) return undefined;
  const metrics = JSON.parse(fs.readFileSync(path.join(modelDir, "metrics.json"), "utf8")) as Record<string, unknown>;
  return {
    jobId: request.env.CLOUD_ML_JOB_ID,
    dataUri: request.dataUri,
    modelDir,
    modelFiles: fs.readdirSync(modelDir).sort(),
    metrics,
    reused: true,
  };
}

/** Vertex AI mounts Cloud Storage under /gcs/ in training containers. */
function fuseOf(location: string): string {
  return location.startsWith("gs://") ? `/gcs/${location.slice("gs://".length)}` : location;
}
