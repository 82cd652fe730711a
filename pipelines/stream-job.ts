import * as fs from "fs";
import { loadContract } from "../schemas/load";
import type { LeaseInfo, MessageSource, PulledMessage, Warehouse } from "../io/ports";
import { emptyCounts, type JobSummary } from "../transforms/summary";
import { newRunId } from "./run-id";
import { beginRun, endRun } from "./run-lifecycle";
import { checkFeatureModule } from "../transforms/features";
import { AckQueue } from "./ack-queue";
import { BatchHandler, summaryOf, type RunState } from "./stream-batch";
import { DEFAULT_ISOLATION, describe } from "./stream-isolate";
import { pullLoop } from "./stream-pull-loop";
import { DEFAULT_RETRY, SourceUnavailableError, withRetry, type RetryPolicy } from "./source-retry";
import { DEFAULTS, type StreamJobOptions, type StreamSettings } from "./stream-settings";

export type { BatchEvent, StreamJobOptions } from "./stream-settings";

/**
 * The streaming job on the local runner, in micro-batches: pull → run the same bounded pipeline as the batch job over
 * the batch → commit to the warehouse → ack. A message is acked only once its row or its dead letter is committed,
 * so a crash at any point redelivers it, and the warehouse's id check counts the redelivery as a duplicate. A batch
 * that fails as a whole is retried, then bisected (`stream-isolate.ts`); the pull loop, its long polls, retries and
 * idle rule are in `stream-pull-loop.ts`.
 */
export async function runStreamJob(
  options: StreamJobOptions,
  source: MessageSource,
  warehouse: Warehouse,
): Promise<JobSummary> {
  const settings: StreamSettings = { ...options, ...DEFAULTS, ...definedOnly(options) };
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.error(line));
  const retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
  const contract = loadContract(options.schema, { dir: options.schemasDir });
  checkFeatureModule(contract);
  await warehouse.ensureTables(contract);
  await options.score?.current(); // a model that cannot be loaded stops the job before it reads anything
  const leases = await readLeases(source, retry, log);
  const startedAt = new Date(now()).toISOString();
  const run: RunState = { contract, runId: newRunId(now(), "stream"), startedAt, counts: emptyCounts() };
  const workDir = await beginRun(warehouse, summaryOf(run, now), options.workDir);
  let stopping = false;
  options.stopSignal?.then(() => (stopping = true));
  const acks = new AckQueue(source, retry, log);
  const isolation = { ...DEFAULT_ISOLATION, ...definedOnly(options.isolation ?? {}) };
  const batches = new BatchHandler({ settings, run, workDir, warehouse, source, retry, isolation, log, acks, now });
  try {
    const { batchSize, batchWindowMs, maxMessages, idleTimeoutSeconds } = settings;
    const loop = { batchSize, batchWindowMs, maxMessages, idleTimeoutSeconds, retry, log };
    const handle = (messages: PulledMessage[], index: number) => batches.handle(messages, index);
    const reason = await pullLoop(loop, source, leases, handle, () => stopping);
    await acks.drained();
    options.onStop?.(reason);
  } catch (err) {
    acks.abandon();
    await endRun(warehouse, summaryOf(run, now), "failed");
    if (!(err instanceof SourceUnavailableError)) throw err;
    const read = run.counts.read.toLocaleString("en-US");
    const committed = `this run committed what it had read (${read} messages; its counts are in job_runs)`;
    throw new SourceUnavailableError(`${err.message}; ${committed}`, { cause: err.cause });
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  await endRun(warehouse, summaryOf(run, now), "finished");
  return summaryOf(run, now);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The subscription's lease settings; if they cannot be read the job says so and runs on (they only shape its stop). */
type Log = (line: string) => void;

async function readLeases(source: MessageSource, retry: RetryPolicy, log: Log): Promise<LeaseInfo | undefined> {
  try {
    return await withRetry("reading the subscription", () => source.leases(), retry);
  } catch (err) {
    if (err instanceof SourceUnavailableError) throw err;
    const consequence = "messages a killed run left leased may come back only after this run stops";
    log(`could not read the subscription's ack deadline (${describe(err)}): ${consequence}`);
    return undefined;
  }
}
