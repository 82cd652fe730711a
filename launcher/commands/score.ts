import { oneOf, parseFlags, requireFlag } from "../args";
import { scoreFlags } from "../models/score-flags";

export const SCORE_TARGETS = ["beam", "vertex-batch"] as const;
export type ScoreTarget = (typeof SCORE_TARGETS)[number];

export const scoreUsage = `rox score --model <name@alias|name@version> --on <table>
          --partition YYYY-MM-DD|yesterday [--time-zone <zone, for yesterday>] [--replace]
          [--target ${SCORE_TARGETS.join("|")}] [--dry-run] [--store <.rox/models|gs://…>]
          [--warehouse <file.duckdb>|bigquery --project P --dataset D] [--config rox.config.json]
          [--endpoint <Vertex host:port>]`;

/** `rox score`: the model's predictions for one day of a table, by the Beam job (default) or a cloud target. */
export async function scoreCommand(argv: string[]): Promise<unknown> {
  const { values } = parseFlags(argv, scoreFlags);
  const target = oneOf(values.target, "target", SCORE_TARGETS) ?? "beam";
  requireFlag(values.model, "model");
  requireFlag(values.on, "on");
  requireFlag(values.partition, "partition");
  if (target === "vertex-batch") return (await import("../models/score-cloud")).scoreOnVertex(values);
  return (await import("../models/score-command")).scoreWithBeam(values);
}
