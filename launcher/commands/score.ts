import { oneOf, parseFlags, requireFlag } from "../args";
import { scoreFlags } from "../models/score-flags";
import { UsageError } from "../errors";
import type { ScoreSubmitter } from "../models/score-dataflow";

export const SCORE_TARGETS = ["beam", "vertex-batch"] as const;
export type ScoreTarget = (typeof SCORE_TARGETS)[number];

export const scoreUsage = `rox score --model <name@alias|name@version> --on <table>
          --partition YYYY-MM-DD|yesterday [--time-zone <zone, for yesterday>] [--replace]
          [--target ${SCORE_TARGETS.join("|")}] [--dry-run] [--store <.rox/models|gs://…>]
          [--warehouse <file.duckdb>|bigquery --project P --dataset D] [--config rox.config.json]
          [--endpoint <Vertex host:port>]
          [--runner dataflow --warehouse bigquery --store gs://… --region R --temp-location gs://… [--staging-location]
          [--sdk-container-image] [--service-account] [--job-name] [--dataflow-endpoint URL] [--dry-run]]
          [--runner dataflow … --wait-until-done [--poll-interval <s, 30>] [--max-wait <min, 180>]] (submit, land)
          [--runner dataflow --finalize-run <run id> (once the job is DONE)]`;

/** `rox score`: the model's predictions for one day of a table, by the Beam job (default) or a cloud target. */
export async function scoreCommand(argv: string[], dataflow?: ScoreSubmitter): Promise<unknown> {
  const { values } = parseFlags(argv, scoreFlags);
  const target = oneOf(values.target, "target", SCORE_TARGETS) ?? "beam";
  requireFlag(values.model, "model");
  requireFlag(values.on, "on");
  requireFlag(values.partition, "partition");
  if (values.runner !== undefined && values.runner !== "direct") {
    if (target !== "beam")
      throw new UsageError(`--runner ${values.runner} applies to the Beam job, not --target ${target}`);
  } else refuseDataflowFlags(values);
  if (target === "vertex-batch") return (await import("../models/score-cloud")).scoreOnVertex(values);
  if (values.runner === "dataflow") return (await import("../models/score-dataflow")).scoreOnDataflow(values, dataflow);
  return (await import("../models/score-command")).scoreWithBeam(values);
}

const DATAFLOW_ONLY = [
  "temp-location",
  "staging-location",
  "sdk-container-image",
  "service-account",
  "job-name",
  "dataflow-endpoint",
  "job-endpoint",
  "parallelism",
  "finalize-run",
  "wait-until-done",
  "poll-interval",
  "max-wait",
  "jobs-endpoint",
] as const;

function refuseDataflowFlags(values: Partial<Record<(typeof DATAFLOW_ONLY)[number], unknown>>): void {
  for (const flag of DATAFLOW_ONLY)
    if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to --runner dataflow only`);
}
