import * as beam from "../../transforms/beam/sdk";
import type { Counter } from "../../transforms/beam/sdk";
import { readJsonLinesFile, JsonLinesFileSink } from "../../io/files/beam-files";
import { scoreRow, type Scored, type ScoreContext } from "../../transforms/beam/score";

type Rows = beam.PCollection<Record<string, unknown>>;

/** Where scored rows go: staged files locally (loaded after the run), BigQuery writes on Dataflow. */
export interface ScoreSinks {
  predictions(rows: Rows): void;
  deadLetters(rows: Rows): void;
}

export const SCORE_READ_COUNTER = "feature_rows_read";

/**
 * Scored rows → the shared scoring step → predictions and dead letters: every row lands in exactly one of them.
 * `score` is `scoreRow` itself or a registered DoFn wrapping it (Dataflow's, which fetches the model's files first).
 */
export function applyScoring<C extends ScoreContext>(
  rows: Rows,
  ctx: C,
  sinks: ScoreSinks,
  score: (row: Record<string, unknown>, ctx: C & { read: Counter }) => Scored = scoreRow,
): void {
  const scored = rows
    .map(score, { ...ctx, read: beam.counter(SCORE_READ_COUNTER) as Counter })
    .apply(beam.split<Scored & Record<string, unknown>>(["predictions", "dead"]));
  sinks.predictions(scored.predictions as Rows);
  sinks.deadLetters(scored.dead as Rows);
}

/** The local scoring job: the feature rows a warehouse query staged (a JSON-lines file) → scoring → staged files. */
export function scorePipeline(
  options: ScoreContext & { featureRows: string; predictions: string; deadLetters: string },
) {
  const { featureRows, predictions, deadLetters, ...ctx } = options;
  return (root: beam.Root) => {
    const rows = root.apply(beam.impulse()).flatMap(readJsonLinesFile, { path: featureRows });
    applyScoring(rows, ctx, {
      predictions: (out) =>
        out.apply(beam.withName("write predictions", beam.parDo(new JsonLinesFileSink(), { path: predictions }))),
      deadLetters: (out) =>
        out.apply(beam.withName("write dead letters", beam.parDo(new JsonLinesFileSink(), { path: deadLetters }))),
    });
  };
}
