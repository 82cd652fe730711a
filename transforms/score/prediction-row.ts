/**
 * A feature row → its `<table>_predictions` row (naming the model version and the scoring run), or a dead letter of
 * stage `score` with the reason: the one place both scoring paths — the batch job and the streaming job — shape them.
 */
import type { Envelope } from "../envelope";
import { deadLetterRow } from "../rows";
import { scoreFeatureRow, type Scorer } from "./scorer";

/** Who is scoring: the model version, the events table and schema (the dead letters' source), the run. */
export interface PredictionContext {
  model: string;
  modelVersion: number;
  table: string;
  schema: string;
  jobName: string;
  runId: string;
}

export type Scored = { predictions: Record<string, unknown> } | { dead: Record<string, unknown> };

/**
 * `row` holds `event_id`, `event_time` and the features under their model names. `deadRecords`: how many input records
 * a dead letter stands for — 1 in the batch scoring job (the row is its record), 0 in the streaming job (the event was
 * written; only its prediction is missing).
 */
export function scoredRow(
  scorer: () => Scorer,
  row: Record<string, unknown>,
  ctx: PredictionContext,
  now: string,
  deadRecords = 1,
): Scored {
  const envelope: Envelope = {
    payload: JSON.stringify(row),
    source: { uri: `${ctx.table}/${String(row.event_id)}`, messageId: `${ctx.model}@${ctx.modelVersion}` },
    attempt: 1,
  };
  const outcome = hasIdentity(row)
    ? scoreFeatureRow(scorer(), row, envelope)
    : {
        ok: false as const,
        dead: { stage: "score" as const, errorClass: "feature.missing", errorMessage: NO_ID, envelope },
      };
  if (!outcome.ok) {
    const dead = { ...outcome.dead, records: deadRecords };
    return { dead: deadLetterRow(dead, { schemaName: ctx.schema, jobName: ctx.jobName, runId: ctx.runId, now }) };
  }
  const { event_id, event_time } = row;
  const { model, modelVersion: model_version, runId: score_run_id } = ctx;
  return {
    predictions: {
      event_id,
      event_time,
      prediction: outcome.value,
      model,
      model_version,
      score_run_id,
      scored_at: now,
    },
  };
}

const NO_ID = "the row has no event_id or event_time";

function hasIdentity(row: Record<string, unknown>): boolean {
  return typeof row.event_id === "string" && row.event_time !== null && row.event_time !== undefined;
}
