import { UsageError } from "../errors";
import type { Plan } from "../plan";
import { planKubeflowRun, type KubeflowRunRequest } from "./kubeflow-plan";
import type { PlannedLineage } from "./lineage";
import type { TrainSettings, TrainTarget } from "./settings";
import type { SliceDialect } from "./slice-dialect";
import {
  planVertexCustomJob,
  planVertexPipelineJob,
  type CreateCustomJobRequest,
  type CreatePipelineJobRequest,
} from "./vertex-plans";

export type CloudTrainTarget = Exclude<TrainTarget, "local">;

/** A cloud target's plan, tagged with its target so the apply that sends it is chosen by type. */
export type CloudTrainingPlan =
  | { target: "vertex-custom-job"; plan: Plan<CreateCustomJobRequest> }
  | { target: "vertex-pipeline"; plan: Plan<CreatePipelineJobRequest> }
  | { target: "kubeflow"; plan: Plan<KubeflowRunRequest> };

export function planCloudTraining(
  target: CloudTrainTarget,
  lineage: PlannedLineage,
  settings: TrainSettings,
): CloudTrainingPlan {
  switch (target) {
    case "vertex-custom-job":
      return { target, plan: planVertexCustomJob(lineage, settings) };
    case "vertex-pipeline":
      return { target, plan: planVertexPipelineJob(lineage, settings) };
    case "kubeflow":
      return { target, plan: planKubeflowRun(lineage, settings) };
  }
}

/**
 * The local target exports the slice with DuckDB's `COPY … TO parquet` and runs the trainer on this machine: it reads
 * the embedded warehouse only. Refused before any warehouse is opened.
 */
export function checkTargetReadsWarehouse(target: TrainTarget, warehouse: SliceDialect["kind"]): void {
  if (warehouse !== "duckdb") cloudTargetFor(target);
}

/** A target that can read BigQuery data, or the UsageError naming those that can. */
export function cloudTargetFor(target: TrainTarget): CloudTrainTarget {
  if (target !== "local") return target;
  throw new UsageError(
    "--target local trains on the embedded DuckDB warehouse only; to train on BigQuery data use --target vertex-custom-job, vertex-pipeline or kubeflow (they read it at its bq:// URI)",
  );
}
