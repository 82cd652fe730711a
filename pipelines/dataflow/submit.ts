import "../../transforms/beam/sdk";
import { SubprocessService } from "apache-beam/utils/service";
import { chooseRunner, dataflowOptions } from "../runner-choice";
import { camelCaseOption, isDataflowOption } from "./pipeline-options";
import { awaitDataflowAnswer, type SubmittedJob } from "./dataflow-answer";
import { checkExpansionReachesBigQuery, checkReachable } from "./preflight";
import { DATAFLOW_JOB_SERVICE_MODULE, startDataflowJobService } from "./job-service";
import { dataflowGraph, pipelineProto } from "./job-graph";
import { scoreGraphOf } from "./score-graph";
import { newRunId } from "../run-id";
import { prepareStreamDataset } from "./prepare-stream-windows";

export const DATAFLOW_ENDPOINT = "https://dataflow.googleapis.com";
export type DataflowJob = "batch" | "stream" | "score";

/** What is sent where: the runner's options (as Python's job service receives them) and the graph's parameters. */
export interface DataflowSubmission {
  /** `score`: batch scoring (score-graph.ts), a batch job too. */
  job: DataflowJob;
  /** Dataflow's options, camelCased (project, region, tempLocation, sdkContainerImage, labels, …). */
  options: Record<string, unknown>;
  /** The template parameters the graph is built from (schema, dataset, input | subscription, runId, …). */
  parameters: Record<string, string>;
}

/**
 * Splits a flat record of template parameters and Dataflow options (the entry point's and the CLI's shape) into the
 * two; adds the job name, the run id and the labels that name the run (`rox-job`, `rox-schema`, `rox-run`).
 */
export function planSubmission(job: DataflowJob, flat: Record<string, string>): DataflowSubmission {
  const options: Record<string, unknown> = {};
  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(flat)) {
    if (isDataflowOption(name)) options[camelCaseOption(name)] = value;
    else parameters[name] = value;
  }
  parameters.runId ||= newRunId(Date.now(), job);
  parameters.project = String(options.project ?? "");
  const runLabel = parameters.runId
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "-")
    .slice(0, 63);
  const labels = [
    `rox-job=${job}`,
    `rox-schema=${parameters.schema}`,
    `rox-run=${runLabel}`,
    ...listOption(options.labels),
  ];
  options.jobName ??= `rox-${job}-${parameters.schema}-${Date.now()}`;
  return {
    job,
    options: { ...dataflowOptions({ ...options, labels }), experiments: listOption(options.experiments) },
    parameters,
  };
}

/**
 * Builds the job's graph, submits it to Python's Dataflow job service and waits for Dataflow's answer: resolves with
 * the created job's id and console URL, throws `DataflowSubmitError` when it is refused. A stream's window views and
 * partials tables are created first (`prepareStreamDataset`). Every helper process the
 * SDK started (the job service, the Java expansion service) is stopped afterwards — only then, as the job service
 * submits in a background thread.
 */
export async function submitToDataflow(submission: DataflowSubmission): Promise<SubmittedJob> {
  const { job, options, parameters } = submission;
  await checkReachable(String(options.dataflowEndpoint ?? DATAFLOW_ENDPOINT), "the Dataflow API");
  const runner = chooseRunner("dataflow", options).runner;
  await checkExpansionReachesBigQuery();
  // The stream only appends (events, window partials): its window views must exist before the job starts.
  if (job === "stream") await prepareStreamDataset(parameters);
  const services = SubprocessService.createCache();
  const jobService = await startDataflowJobService(pythonOverride());
  const restore = overrideService(`python:${DATAFLOW_JOB_SERVICE_MODULE}`, jobService.address);
  try {
    const named = { ...parameters, jobName: String(options.jobName) };
    const proto = await pipelineProto(job === "score" ? scoreGraphOf(named) : dataflowGraph(job, named));
    // runPipeline, not runAsync: the SDK's runAsync drops the options, and with them our experiments.
    const result = await runner.runPipeline(proto, { experiments: [...(options.experiments as string[])] });
    return await awaitDataflowAnswer(result, jobService.logFile);
  } finally {
    restore();
    await services.stopAll();
    await jobService.stop();
  }
}

/** The Python that `useLocalBeamServices` (or the launcher image) chose for every Python service. */
function pythonOverride(env = process.env): string {
  const overrides = JSON.parse(env.BEAM_SERVICE_OVERRIDES ?? "{}") as Record<string, string>;
  return overrides["python:*"];
}

/** Points the SDK at a service we started (by address) for one submission; returns what puts the overrides back. */
function overrideService(key: string, address: string, env = process.env): () => void {
  const before = env.BEAM_SERVICE_OVERRIDES;
  env.BEAM_SERVICE_OVERRIDES = JSON.stringify({
    ...(JSON.parse(before ?? "{}") as Record<string, string>),
    [key]: address,
  });
  return () => {
    if (before === undefined) delete env.BEAM_SERVICE_OVERRIDES;
    else env.BEAM_SERVICE_OVERRIDES = before;
  };
}

/** A list option given as a list, as `a,b`, or (labels from the Flex Template launcher) as a JSON object. */
function listOption(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string" && value.startsWith("{"))
    return Object.entries(JSON.parse(value) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  if (typeof value === "string" && value !== "") return value.split(",").map((part) => part.trim());
  return [];
}

/**
 * Builds the job's graph, submits it to Dataflow and resolves once Dataflow has created the job (its id and console
 * URL); a refusal throws `DataflowSubmitError`. `parameters` holds the template parameters (schema, dataset,
 * subscription | input…) and Dataflow's options (project, region, tempLocation, sdkContainerImage…) in one record.
 */
export async function runOnDataflow(
  job: "batch" | "stream",
  parameters: Record<string, string>,
): Promise<SubmittedJob> {
  return submitToDataflow(planSubmission(job, parameters));
}
