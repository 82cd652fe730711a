import * as fs from "fs";
import * as path from "path";
import { requireForSerialization } from "apache-beam/serialization";
import type { Counter } from "./sdk";
import { clockNow, type RunClockMs } from "./clock";
import { createScorer, type Scorer } from "../score/scorer";
import { scoredRow, type PredictionContext, type Scored } from "../score/prediction-row";

/** What the scoring DoFn needs, through Beam's context argument: the model's folder and who is scoring. */
export interface ScoreContext extends PredictionContext {
  /** A folder with the version's `card.json` and `model.json` (a store's own folder, or a worker's copy). */
  modelDir: string;
  nowMs: RunClockMs;
  /** How many records a score dead letter stands for: 1 in batch scoring (the default), 0 in the stream's. */
  deadRecords?: number;
}

export type { Scored };

/** One scorer per worker and model folder: the trees are parsed once, not per element. */
const scorers = new Map<string, Scorer>();

export function scorerOf(ctx: Pick<ScoreContext, "modelDir">): Scorer {
  let scorer = scorers.get(ctx.modelDir);
  if (!scorer) {
    const read = (file: string) => fs.readFileSync(path.join(ctx.modelDir, file), "utf8");
    scorers.set(ctx.modelDir, (scorer = createScorer(JSON.parse(read("card.json")), read("model.json"))));
  }
  return scorer;
}

/**
 * A feature row (io/feature-query.ts) → a prediction row naming the model version and the scoring run, or a dead
 * letter of stage `score` with the reason. Counts every row read, for the job's reconciliation.
 */
export function scoreRow(row: Record<string, unknown>, ctx: ScoreContext & { read: Counter }): Scored {
  ctx.read.increment(1);
  const now = new Date(clockNow(ctx.nowMs)).toISOString();
  const { model, modelVersion, table, schema, jobName, runId } = ctx;
  const who = { model, modelVersion, table, schema, jobName, runId };
  return scoredRow(() => scorerOf(ctx), row, who, now, ctx.deadRecords ?? 1);
}

requireForSerialization("rox-gcp/transforms/beam/score", { scoreRow });
