/**
 * The streaming graph's optional scoring branch (`rox stream --score` on Dataflow and Flink): every written event —
 * the first-of-id events the sink was given — is scored by the model version pinned when the job was built (loaded
 * once per worker from the store), its window features read from the warehouse's window tables through the prediction
 * server's online lookup (short-TTL cache, in a worker thread: `window-lookup-sync.ts`). Predictions go to the sink's
 * `<table>_predictions`, score dead letters (records 0) and refused predictions to its dead letters.
 */
import * as beam from "../../transforms/beam/sdk";
import type { Counter } from "../../transforms/beam/sdk";
import type { EventRecord } from "../../schemas/contract";
import type { Scored } from "../../transforms/beam/score";
import { SCORE_READ_COUNTER } from "../score/score-pipeline";
import { RunnerChoiceError } from "../runner-choice";
import type { GraphSink } from "./graph-sink-port";
import type { LookupTarget } from "./window-lookup-protocol";
import { refusedPredictionToDeadLetter, scoreStreamEvent, type StreamScoreContext } from "./stream-score-steps";

type Rows = beam.PCollection<Record<string, unknown>>;

export type { StreamScoreContext };

export async function scoreWrittenEvents(
  events: beam.PCollection<EventRecord>,
  ctx: StreamScoreContext,
  sink: GraphSink,
): Promise<void> {
  if (!sink.scored) throw new Error("the streaming graph scores only into a sink with a predictions role");
  const scored = events
    .map(beam.withName("score events", scoreStreamEvent), {
      ...ctx,
      read: beam.counter(SCORE_READ_COUNTER) as Counter,
    })
    .apply(beam.withName("split scored", beam.split<Scored & Record<string, unknown>>(["predictions", "dead"])));
  const failed = await sink.scored.predictions(scored.predictions as Rows);
  const failedContext = {
    table: sink.scored.predictionsTable ?? ctx.table,
    schemaName: ctx.schema,
    jobName: ctx.jobName,
    runId: ctx.runId,
    nowMs: ctx.nowMs,
  };
  const failedDead = failed ? [failed.map(refusedPredictionToDeadLetter, failedContext) as Rows] : [];
  await sink.scored.deadLetters(
    beam.P([scored.dead as Rows, ...failedDead]).apply(beam.withName("score dead letters", beam.flatten())),
  );
}

/** The server's default (`rox serve --cache-ttl`): how long a window read from the warehouse is used. */
export const DEFAULT_WINDOW_CACHE_SECONDS = 30;

/**
 * The scoring branch's settings from the job's parameters (all text), or none without `model`: `model`,
 * `modelVersion` and `modelUri` (the version's folder, `gs://…` on Dataflow) pinned by the launcher when the job
 * starts; `windowCacheSeconds`; the window tables read from `lookupWarehouse` (a DuckDB file: Flink and tests) or
 * else the job's BigQuery `project`/`dataset` (`bigqueryEndpoint` for an emulator).
 */
export function streamScoreOf(
  parameters: Record<string, string>,
  who: { schema: string; table: string; jobName: string; runId: string; nowMs: StreamScoreContext["nowMs"] },
): StreamScoreContext | undefined {
  if (!parameters.model) return undefined;
  const need = (name: string) => {
    if (!parameters[name]) throw new RunnerChoiceError(`the scoring stream needs --${name}`);
    return parameters[name];
  };
  const modelVersion = Number(need("modelVersion"));
  if (!Number.isInteger(modelVersion) || modelVersion < 1)
    throw new RunnerChoiceError(`--modelVersion must be a version number, got "${parameters.modelVersion}"`);
  const seconds = Number(parameters.windowCacheSeconds || DEFAULT_WINDOW_CACHE_SECONDS);
  if (!(seconds > 0))
    throw new RunnerChoiceError(`--windowCacheSeconds must be > 0, got "${parameters.windowCacheSeconds}"`);
  const target: LookupTarget = parameters.lookupWarehouse
    ? { kind: "duckdb", file: parameters.lookupWarehouse }
    : {
        kind: "bigquery",
        projectId: need("project"),
        dataset: need("dataset"),
        ...(parameters.bigqueryEndpoint ? { apiEndpoint: parameters.bigqueryEndpoint } : {}),
      };
  const { schema, table, jobName, runId, nowMs } = who;
  return {
    schema,
    table,
    jobName,
    runId,
    nowMs,
    schemasDir: parameters.schemasDir,
    model: need("model"),
    modelVersion,
    modelDir: need("modelUri"),
    storage: { projectId: parameters.project, apiEndpoint: parameters.storageEndpoint },
    lookup: { target, ttlMs: seconds * 1000 },
  };
}
