import "../../transforms/beam/sdk";
import { Root } from "apache-beam/pvalue";
import { Pipeline } from "apache-beam/internal/pipeline";
import type { Pipeline as PipelineProto } from "apache-beam/proto/beam_runner_api";
import { loadContract } from "../../schemas/load";
import { checkFeatureModule } from "../../transforms/features";
import { DEAD_LETTER_TABLE } from "../../schemas/tables";
import { RunnerChoiceError } from "../runner-choice";
import { batchGraph, runStageTablesOf } from "./batch-graph";
import { bigQuerySink, type GraphSink } from "./graph-sink";
import { streamGraph } from "./stream-graph";
import { streamScoreOf } from "./stream-score-graph";
import type { DataflowIngestOptions } from "./ingest-graph";
import { LIVE_CLOCK, type RunClockMs } from "../../transforms/beam/clock";
import { FILE_FORMATS, type FileFormat } from "../../io/files/file-format";
import { newRunId } from "../run-id";
import { appendedEventsTableName } from "./stream-events";
import { appendedPredictionsTableName } from "./stream-predictions";

type Graph = (root: Root) => Promise<void>;
/** The run's id (fixed when the graph is built) and its clock; the shared transforms take both from their context. */
export interface RunClock {
  /** `"live"` (the default): every element takes the processing time, as a job running for weeks must. */
  nowMs: RunClockMs;
  runId: string;
}

/** The publisher's attributes (tools/publish/event-message.ts): the event id and the event time. */
export const ID_ATTRIBUTE = "event_id";
export const TIMESTAMP_ATTRIBUTE = "event_time";
const DEFAULT_MAX_RECORD_BYTES = 1 << 20;

/**
 * The graph of a job from its parameters, without a runner: what `runOnDataflow` (submit.ts) submits and the graph test expands.
 * `sink` defaults to Dataflow's (BigQuery: the final tables for the stream, the run's staging tables for a batch).
 */
export function dataflowGraph(
  job: "batch" | "stream",
  parameters: Record<string, string>,
  clock: RunClock = liveClock(parameters),
  sink?: GraphSink,
): Graph {
  const options = ingestOptions(parameters, clock, sink ?? bigQuerySinkOf(job, parameters, clock.runId));
  if (job === "stream") {
    const subscription = required(parameters, "subscription");
    const table = loadContract(options.schema, { dir: options.schemasDir }).table;
    return streamGraph({
      ...options,
      pubsub: { subscription, idAttribute: ID_ATTRIBUTE, timestampAttribute: TIMESTAMP_ATTRIBUTE },
      score: streamScoreOf(parameters, { schema: options.schema, table, jobName: options.jobName, ...clock }),
    });
  }
  const storage = { projectId: parameters.project, apiEndpoint: parameters.storageEndpoint };
  return batchGraph({ ...options, input: required(parameters, "input"), ...formatOf(parameters), storage });
}

/** Processing time, and the run id `rox launch` passed (the one it labels the job with), else a fresh one. */
function liveClock(parameters: Record<string, string>): RunClock {
  return { nowMs: LIVE_CLOCK, runId: parameters.runId || newRunId(Date.now()) };
}

/** The portable pipeline proto of a graph, as a runner would receive it (cross-language transforms expanded). */
export async function pipelineProto(graph: Graph): Promise<PipelineProto> {
  const pipeline = new Pipeline();
  await graph(new Root(pipeline));
  return pipeline.getProto();
}

/**
 * BigQuery, where Dataflow writes: a stream appends to its appended events, dead letters and window partials (read
 * through views), a batch run to its own staging tables.
 */
function bigQuerySinkOf(job: "batch" | "stream", parameters: Record<string, string>, runId: string): GraphSink {
  const contract = loadContract(required(parameters, "schema"), { dir: parameters.schemasDir });
  const dataset = `${required(parameters, "project")}:${required(parameters, "dataset")}`;
  checkFeatureModule(contract);
  const tables = { events: `${dataset}.${contract.table}`, deadLetters: `${dataset}.${DEAD_LETTER_TABLE}` };
  if (job === "batch") return bigQuerySink(runStageTablesOf(tables, runId), contract);
  // The stream appends its events and predictions; the events and predictions tables are views of first copies over
  // them (stream-events.ts, stream-predictions.ts).
  const events = `${dataset}.${appendedEventsTableName(contract)}`;
  const predictions = parameters.model ? { predictions: `${dataset}.${appendedPredictionsTableName(contract)}` } : {};
  return bigQuerySink({ ...tables, events, windowPartialsDataset: dataset, ...predictions }, contract);
}

function ingestOptions(parameters: Record<string, string>, clock: RunClock, sink: GraphSink): DataflowIngestOptions {
  const schema = required(parameters, "schema");
  return {
    schema,
    schemasDir: parameters.schemasDir,
    jobName: parameters.jobName ?? `rox-${schema}`,
    runId: clock.runId,
    nowMs: clock.nowMs,
    maxRecordBytes: Number(parameters.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES),
    sink,
  };
}

function formatOf(parameters: Record<string, string>): { format?: FileFormat } {
  const format = parameters.format;
  if (format === undefined || format === "") return {};
  if (!(FILE_FORMATS as readonly string[]).includes(format))
    throw new RunnerChoiceError(`--format must be one of ${FILE_FORMATS.join(", ")}, got "${format}"`);
  return { format: format as FileFormat };
}

function required(parameters: Record<string, string>, name: string): string {
  const value = parameters[name];
  if (!value) throw new RunnerChoiceError(`the Dataflow job needs --${name}`);
  return value;
}
