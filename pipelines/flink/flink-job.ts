import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Warehouse } from "../../io/ports";
import { loadContract } from "../../schemas/load";
import { addCounts, emptyCounts, type ChunkCounts, type JobSummary } from "../../transforms/summary";
import { newRunId } from "../run-id";
import { landStagedRun, stagedPathsIn } from "../chunk-run";
import { READ_COUNTER } from "../ingest-pipeline";
import { stagedFileSinks } from "../sinks";
import { dataflowGraph } from "../dataflow/job-graph";
import { stagedFilesSink } from "../dataflow/graph-sink";
import { runGraphOnFlink, type FlinkRunOptions } from "./run-graph";
import { startEmbeddedExpansionService } from "./embedded-expansion";
import { moveRepeatedIdsToDuplicates } from "./staged-first-of-id";
import { GCP_EXPANSION_SERVICE_TARGET } from "../beam-services";

export interface FlinkJobOptions extends Omit<FlinkRunOptions, "stop"> {
  /** For the streaming job: when to stop, given the folder the run stages its rows in (see `stopWhenIdle`). */
  stop?: (runDir: string) => Promise<void>;
  /** The job's parameters, as for Dataflow: schema, input [format] | subscription, schemasDir, maxRecordBytes. */
  parameters: Record<string, string>;
  replace?: boolean;
  workDir?: string;
  now?: () => number;
}

/**
 * The portable graph Dataflow runs — the same reading, validation and dedupe steps — on Flink, with the sink role
 * played by staged files instead of BigQuery; once the job has ended (batch) or been stopped (stream), the files are
 * landed in the warehouse like a DirectRunner chunk's: fresh events only, the window pass over them, dead letters and
 * `job_runs` in one commit (a stream's repeated ids first become duplicates: `moveRepeatedIdsToDuplicates`). `read`
 * is the job's own Beam counter, read from Flink's metrics (a stream's from Flink's REST API before it is cancelled).
 */
export async function runFlinkJob(
  job: "batch" | "stream",
  options: FlinkJobOptions,
  warehouse: Warehouse,
): Promise<JobSummary> {
  const now = options.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const runId = newRunId(now(), `${job}-flink`);
  const contract = loadContract(options.parameters.schema, { dir: options.parameters.schemasDir });
  const runDir = fs.mkdtempSync(path.join(options.workDir ?? os.tmpdir(), `rox-${runId}-`));
  try {
    const paths = stagedPathsIn(runDir);
    const graph = dataflowGraph(
      job,
      { jobName: job, ...options.parameters },
      { nowMs: now(), runId },
      stagedFilesSink(stagedFileSinks(paths)),
    );
    const counters = await withJavaExpansion(job === "stream", () =>
      runGraphOnFlink(graph, { ...options, stop: options.stop?.(runDir) }),
    );
    if (job === "stream") moveRepeatedIdsToDuplicates(paths, contract.idField);
    await warehouse.ensureTables(contract);
    const summaryOf = (counts: ChunkCounts): JobSummary => ({
      job,
      runId,
      schema: contract.name,
      startedAt,
      finishedAt: new Date(now()).toISOString(),
      ...addCounts(emptyCounts(), counts),
    });
    const run = {
      contract,
      schemasDir: options.parameters.schemasDir,
      chunkDir: runDir,
      replace: options.replace ?? false,
      read: counters[READ_COUNTER] ?? 0,
      windowsStaged: false,
    };
    return summaryOf(await landStagedRun(run, paths, warehouse, summaryOf));
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

/** The streaming graph's Pub/Sub read is Java: expanded, for the time the graph is built, into an EMBEDDED environment. */
async function withJavaExpansion<T>(needed: boolean, run: () => Promise<T>): Promise<T> {
  if (!needed) return run();
  const service = await startEmbeddedExpansionService();
  const before = process.env.BEAM_SERVICE_OVERRIDES;
  process.env.BEAM_SERVICE_OVERRIDES = JSON.stringify({
    ...(JSON.parse(before ?? "{}") as Record<string, string>),
    [GCP_EXPANSION_SERVICE_TARGET]: service.address,
  });
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env.BEAM_SERVICE_OVERRIDES;
    else process.env.BEAM_SERVICE_OVERRIDES = before;
    await service.stop();
  }
}
