import type { ModelMetrics } from "../../transforms/score/model-card";
import type { TrainResult } from "../train/train-run";
import type { RegisteredModel } from "./registry";

const fmt = (n: number | undefined) => (typeof n === "number" ? n.toFixed(2) : "n/a");

export function renderMetrics(m: ModelMetrics | null | undefined): string {
  if (!m?.model) return "no metrics";
  const champion = m.champion
    ? `; champion v${m.champion.version}: MAE ${fmt(m.champion.mae)}, RMSE ${fmt(m.champion.rmse)}`
    : "";
  return `held-out ${m.testRows} rows: MAE ${fmt(m.model.mae)} (mean ${fmt(m.mean.mae)}), RMSE ${fmt(m.model.rmse)} (mean ${fmt(m.mean.rmse)})${champion}`;
}

export function renderModelTraining(r: TrainResult): string {
  const l = r.lineage;
  const lines = [
    `training data: ${l.table}${l.partition ? ` ${l.partition}` : ""}, ${l.rowCount.toLocaleString("en-US")} events, latest run ${l.runId}`,
  ];
  if (r.job)
    lines.push(
      `${r.job.reused ? "reused" : "started"} ${r.target} ${r.job.name || r.job.displayName} (${r.job.state})`,
      ...(r.job.modelDir ? [`model in ${r.job.modelDir}`] : []),
    );
  if (r.local)
    lines.push(
      `${r.local.reused ? "already trained on this data: " : ""}model in ${r.local.modelDir} (${r.local.modelFiles.join(", ")})`,
      `metrics: ${renderMetrics(r.local.metrics as unknown as ModelMetrics)}`,
    );
  return lines.join("\n");
}

export function renderModelRow(m: RegisteredModel): string {
  const aliases = m.aliases.length ? ` [${m.aliases.join(", ")}]` : "";
  return `${m.name}@${m.version}${aliases}  ${m.registeredAt}  ${m.uri}\n    ${renderMetrics(m.metrics)}`;
}
