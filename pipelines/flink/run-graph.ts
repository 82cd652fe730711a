import "../../transforms/beam/sdk";
import type { PipelineResult } from "apache-beam/runners/runner";
import type { Root } from "apache-beam/pvalue";
import { JobState_Enum } from "apache-beam/proto/beam_job_api";
import type { MonitoringInfo } from "apache-beam/proto/metrics";
import { RoxError } from "../../errors/rox-error";

/** A job a runner we started reports as failed, cancelled or otherwise not DONE. */
export class FlinkJobFailedError extends RoxError {
  readonly kind = "run-failed";
  constructor(message: string) {
    super(message);
    this.name = "FlinkJobFailedError";
  }
}

export interface FlinkRunOptions {
  /** `host:port` of a Beam Flink job server. */
  jobEndpoint: string;
  /**
   * Flink's REST API behind it (`http://host:port`): a stopped streaming job's counters are read there before it is
   * cancelled (the job server reports metrics only of ended jobs). Without it the stream's counters are empty.
   */
  restUrl?: string;
  /** Flink's parallelism for every stage (default 2: the point of a distributed engine). */
  parallelism?: number;
  /** Extra pipeline options for the Java parts (e.g. `pubsubRootUrl` of an emulator), as the SDK names them. */
  pipelineOptions?: Record<string, unknown>;
  /**
   * For an unbounded graph: resolves when the run should stop (a signal, or the caller's idle rule); the job is then
   * cancelled. A bounded graph runs to its end and must reach DONE.
   */
  stop?: Promise<void>;
}

const DEFAULT_PARALLELISM = 2;
/** Checkpoints make Java's Pub/Sub read ack what it delivered (it acks on checkpoint finalization). */
const CHECKPOINT_INTERVAL_MS = 2_000;

/**
 * Submits a graph to Flink through the Beam job server and keeps this process — which hosts the TypeScript workers
 * (LOOPBACK: Flink's task slots call back into a worker pool served here) — alive until the job ends. A bounded
 * graph must end DONE; an unbounded one runs until `stop` resolves, then is cancelled. Resolves to the job's counters.
 */
export async function runGraphOnFlink(
  graph: (root: Root) => Promise<void>,
  options: FlinkRunOptions,
): Promise<Record<string, number>> {
  const { PortableRunner } =
    require("apache-beam/runners/portable_runner/runner") as typeof import("apache-beam/runners/portable_runner/runner");
  const runner = new PortableRunner({
    environmentType: "LOOPBACK",
    jobEndpoint: options.jobEndpoint,
    parallelism: options.parallelism ?? DEFAULT_PARALLELISM,
    checkpointingInterval: CHECKPOINT_INTERVAL_MS,
    ...options.pipelineOptions,
  });
  const result = await runner.runAsync(graph);
  if (options.stop) return runUntilStopped(result, options.stop, options.restUrl);
  const state = await result.waitUntilFinish();
  if (state !== JobState_Enum.DONE)
    throw new FlinkJobFailedError(`the Flink job ended ${JobState_Enum[state]} (the job server's log says why)`);
  return jobCounters(result);
}

/**
 * The job's user counters (sum_int64) as the job server reports them. Flink's job server fills `attempted` (its
 * accumulators), not always `committed`, which is all the SDK's `counters()` reads.
 */
async function jobCounters(result: PipelineResult): Promise<Record<string, number>> {
  const handle = result as unknown as PortableHandle;
  const { metrics } = await handle.runner.getJobMetrics(handle.jobId);
  const infos = metrics?.committed?.length ? metrics.committed : (metrics?.attempted ?? []);
  const { aggregateMetrics } = require("apache-beam/worker/metrics") as typeof import("apache-beam/worker/metrics");
  return Object.fromEntries(aggregateMetrics(infos, "beam:metric:user:sum_int64:v1")) as Record<string, number>;
}

/** What the SDK's portable result holds (not in its typings): the runner that submitted it and the job service's id. */
interface PortableHandle {
  jobId: string;
  runner: {
    getJobMetrics(jobId: string): Promise<{ metrics?: { committed: MonitoringInfo[]; attempted: MonitoringInfo[] } }>;
    cancelJob(jobId: string): Promise<unknown>;
  };
}

async function runUntilStopped(
  result: PipelineResult,
  stop: Promise<void>,
  restUrl: string | undefined,
): Promise<Record<string, number>> {
  const ended = result.waitUntilFinish();
  const handle = result as unknown as PortableHandle;
  // Not the SDK's `cancel()`: it shuts the LOOPBACK worker pool down at once, before Flink has stopped its workers,
  // which then stay connected and keep this process alive. Cancelled through the job service, the job is followed to
  // its end (CANCELLED): Flink stops the workers, then the SDK's completion shuts the pool down.
  const cancel = async () => {
    await handle.runner.cancelJob(handle.jobId);
    await ended;
  };
  let first: "stop" | JobState_Enum;
  try {
    first = await Promise.race([stop.then(() => "stop" as const), ended]);
  } catch (err) {
    await cancel(); // the stop rule failed (e.g. a caller's deadline): the job is still running
    throw err;
  }
  if (first !== "stop")
    throw new FlinkJobFailedError(`the streaming Flink job ended ${JobState_Enum[first]} before it was stopped`);
  const { runningJobCounters } = await import("./rest-counters");
  const counters = restUrl
    ? await runningJobCounters(restUrl, handle.jobId).catch(async (err) => {
        await cancel();
        throw err;
      })
    : {};
  await cancel();
  return counters;
}
