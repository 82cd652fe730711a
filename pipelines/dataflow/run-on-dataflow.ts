import "../../transforms/beam/sdk";
import { Root } from "apache-beam/pvalue";
import { Pipeline } from "apache-beam/internal/pipeline";
import { SubprocessService } from "apache-beam/utils/service";
import type { Pipeline as PipelineProto } from "apache-beam/proto/beam_runner_api";
import { randomUUID } from "crypto";
import { loadContract } from "../../schemas/load";
import { DEAD_LETTER_TABLE } from "../../schemas/tables";
import { chooseRunner, RunnerChoiceError } from "../runner-choice";
import { batchGraph, runStageTablesOf } from "./batch-graph";
import { bigQuerySink, type GraphSink } from "./graph-sink";
import { streamGraph } from "./stream-graph";
import type { DataflowIngestOptions } from "./ingest-graph";
import { LIVE_CLOCK, type RunClockMs } from "../../transforms/beam/clock";
import type { FileFormat } from "../../io/local/splits";

type Graph = (root: Root) => Promise<void>;
/** The run's id (fixed when the graph is built) and its clock; the shared transforms take both from their context. */
export interface RunClock {
  /** `"live"` (the default): every element takes the processing time, as a job running for weeks must. */
  nowMs: RunClockMs;
  runId: string;
}

/** The publisher's attributes (launcher/publish/event-message.ts): the event id and the event time. */
export const ID_ATTRIBUTE = "event_id";
export const TIMESTAMP_ATTRIBUTE = "event_time";
const DEFAULT_MAX_RECORD_BYTES = 1 << 20;
const FILE_FORMATS: readonly FileFormat[] = ["jsonl", "csv", "avro", "parquet"];

/**
 * Builds the job's graph and submits it to Dataflow; resolves once the job is submitted (not when it finishes).
 * `parameters` holds the template parameters (schema, dataset, subscription | input…) and Dataflow's options
 * (project, region, tempLocation, sdkContainerImage…). Every helper process the SDK starts (the Java expansion
 * service, Python's job service) is stopped before returning.
 */
export function runOnDataflow(job: "batch" | "stream", parameters: Record<string, string>): Promise<void> {
  return runOnPortableRunner("dataflow", job, parameters);
}

/** The same graph on another portable runner: Dataflow, or Flink through a Beam job server (`jobEndpoint`). */
export async function runOnPortableRunner(runner: "dataflow" | "flink", job: "batch" | "stream", parameters: Record<string, string>): Promise<void> {
  const choice = chooseRunner(runner, { ...parameters, jobName: parameters.jobName ?? `rox-${job}-${parameters.schema}` });
  const services = SubprocessService.createCache();
  try {
    await choice.runner.runAsync(dataflowGraph(job, parameters));
  } finally {
    await services.stopAll();
  }
}

/**
 * The graph of a job from its parameters, without a runner: what `runOnDataflow` submits and the graph test expands.
 * `sink` defaults to Dataflow's (BigQuery: the final tables for the stream, the run's staging tables for a batch).
 */
export function dataflowGraph(job: "batch" | "stream", parameters: Record<string, string>, clock: RunClock = liveClock(parameters), sink?: GraphSink): Graph {
  const options = ingestOptions(parameters, clock, sink ?? bigQuerySinkOf(job, parameters, clock.runId));
  if (job === "stream") {
    const subscription = required(parameters, "subscription");
    return streamGraph({ ...options, pubsub: { subscription, idAttribute: ID_ATTRIBUTE, timestampAttribute: TIMESTAMP_ATTRIBUTE } });
  }
  const storage = { projectId: parameters.project, apiEndpoint: parameters.storageEndpoint };
  return batchGraph({ ...options, input: required(parameters, "input"), ...formatOf(parameters), storage });
}

/** Processing time, and the run id `rox launch` passed (the one it labels the job with), else a fresh one. */
function liveClock(parameters: Record<string, string>): RunClock {
  return { nowMs: LIVE_CLOCK, runId: parameters.runId || randomUUID() };
}

/** The portable pipeline proto of a graph, as a runner would receive it (cross-language transforms expanded). */
export async function pipelineProto(graph: Graph): Promise<PipelineProto> {
  const pipeline = new Pipeline();
  await graph(new Root(pipeline));
  return pipeline.getProto();
}

/** BigQuery, where Dataflow writes: a stream appends to the final tables, a batch run to its own staging tables. */
function bigQuerySinkOf(job: "batch" | "stream", parameters: Record<string, string>, runId: string): GraphSink {
  const contract = loadContract(required(parameters, "schema"), { dir: parameters.schemasDir });
  const dataset = `${required(parameters, "project")}:${required(parameters, "dataset")}`;
  const tables = { events: `${dataset}.${contract.table}`, deadLetters: `${dataset}.${DEAD_LETTER_TABLE}` };
  return bigQuerySink(job === "batch" ? runStageTablesOf(tables, runId) : tables, contract);
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
  if (!(FILE_FORMATS as readonly string[]).includes(format)) throw new RunnerChoiceError(`--format must be one of ${FILE_FORMATS.join(", ")}, got "${format}"`);
  return { format: format as FileFormat };
}

function required(parameters: Record<string, string>, name: string): string {
  const value = parameters[name];
  if (!value) throw new RunnerChoiceError(`the Dataflow job needs --${name}`);
  return value;
}
