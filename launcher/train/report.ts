import { describeSlice } from "./lineage";
import type { TrainResult } from "./train-run";

const TARGET_NAMES: Record<TrainResult["target"], string> = {
  local: "local trainer",
  "vertex-custom-job": "Vertex AI CustomJob",
  "vertex-pipeline": "Vertex AI PipelineJob",
  kubeflow: "Kubeflow run",
};

/** What `rox train` prints after applying: the lineage, then what was started (or reused) or trained. */
export function renderTrainResult(r: TrainResult): string {
  const l = r.lineage;
  const lines = [
    `training data: ${describeSlice(l)}, ${l.rowCount.toLocaleString("en-US")} rows, latest run ${l.runId} (of ${l.runCount}), schema ${l.schema} v${l.schemaVersion}, trigger ${l.trigger}`,
  ];
  if (r.job)
    lines.push(
      `${r.job.reused ? "reused" : "started"} ${TARGET_NAMES[r.target]} ${r.job.name || r.job.displayName} (${r.job.state})`,
      ...(r.job.modelDir ? [`model in ${r.job.modelDir}`] : []),
    );
  if (r.local) {
    lines.push(
      `${TARGET_NAMES.local} ${r.local.jobId}: model in ${r.local.modelDir} (${r.local.modelFiles.join(", ") || "no files"})`,
    );
    const m = r.local.metrics as
      { model?: { mae?: number; rmse?: number }; baseline?: { mae?: number; rmse?: number } } | undefined;
    if (m?.model && m.baseline)
      lines.push(
        `metrics: MAE ${fmt(m.model.mae)} min (mean baseline ${fmt(m.baseline.mae)}), RMSE ${fmt(m.model.rmse)} min (baseline ${fmt(m.baseline.rmse)})`,
      );
  }
  return lines.join("\n");
}

function fmt(n: number | undefined): string {
  return typeof n === "number" ? n.toFixed(2) : "n/a";
}
