import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadContract } from "../schemas/load";
import type { Contract } from "../schemas/contract";
import type { LeaseInfo, MessageSource, PulledMessage, Warehouse } from "../io/ports";
import { JsonLinesAppender } from "../io/local/json-lines";
import type { MessageRecord } from "../transforms/decode/message";
import { addCounts, emptyCounts, type ChunkCounts, type JobSummary } from "../transforms/summary";
import { runChunk } from "./chunk-run";
import { newRunId } from "./batch-job";
import { commitIsolating, DEFAULT_ISOLATION, describe, type IsolationPolicy } from "./stream-isolate";
import { pullLoop, type StopReason } from "./stream-pull-loop";
import { DEFAULT_RETRY, SourceUnavailableError, withRetry, type RetryPolicy } from "./source-retry";
import { AckQueue } from "./ack-queue";

export interface StreamJobOptions {
  schema: string;
  schemasDir?: string;
  /** Full subscription name, `projects/<p>/subscriptions/<s>`: the dead letters' source. */
  subscription: string;
  /** Stop after this many messages (default: run until idle). */
  maxMessages?: number;
  /** Stop after this many seconds without a message (default 10). */
  idleTimeoutSeconds?: number;
  /** Most messages per micro-batch (default 5000): a backlog fills it, a trickle gives small batches at once. */
  batchSize?: number;
  maxDeliveryAttempts?: number;
  maxRecordBytes?: number;
  workDir?: string;
  /** Called after every committed micro-batch: the running summary and the batch's messages. */
  onBatch?: (event: BatchEvent) => void;
  /** Resolves when the job should stop after the current micro-batch (e.g. on SIGTERM). */
  stopSignal?: Promise<void>;
  now?: () => number;
  /** Retries of failed pulls, acks and nacks; past `budgetMs` of failures the job stops (`SourceUnavailableError`). */
  retry?: Partial<RetryPolicy>;
  /** Retries and bisection of a failing micro-batch. */
  isolation?: Partial<IsolationPolicy>;
  /** One-line notices: retries, isolated messages, why the job waits or stopped (default: stderr). */
  log?: (line: string) => void;
  /** Called once the job stops normally, with why. */
  onStop?: (reason: StopReason) => void;
}

export interface BatchEvent {
  summary: JobSummary;
  batch: ChunkCounts;
  publishTimes: number[];
  committedAt: number;
}

const DEFAULTS = { idleTimeoutSeconds: 10, batchSize: 5000, maxDeliveryAttempts: 5, maxRecordBytes: 1 << 20 };
const MAX_CONSECUTIVE_FAILURES = 10;

/**
 * The streaming job on the local runner, in micro-batches: pull → run the same bounded pipeline as the batch job over
 * the batch → commit to the warehouse → ack. A message is acked only once its row or its dead letter is committed,
 * so a crash at any point redelivers it, and the warehouse's id check counts the redelivery as a duplicate. A batch
 * that fails as a whole is retried, then bisected (`stream-isolate.ts`); the pull loop, its long polls, retries and
 * idle rule are in `stream-pull-loop.ts`.
 */
export async function runStreamJob(options: StreamJobOptions, source: MessageSource, warehouse: Warehouse): Promise<JobSummary> {
  const settings: Settings = { ...options, ...DEFAULTS, ...definedOnly(options) };
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.error(line));
  const retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
  const contract = loadContract(options.schema, { dir: options.schemasDir });
  await warehouse.ensureTables(contract);
  const leases = await readLeases(source, retry, log);
  const run: RunState = { contract, runId: newRunId("stream", now()), startedAt: new Date(now()).toISOString(), counts: emptyCounts() };
  const workDir = fs.mkdtempSync(path.join(options.workDir ?? os.tmpdir(), `rox-${run.runId}-`));
  let stopping = false;
  options.stopSignal?.then(() => (stopping = true));
  const acks = new AckQueue(source, retry, log);
  const batches = new BatchHandler({ settings, run, workDir, warehouse, source, retry, log, acks, now });
  try {
    const loop = { batchSize: settings.batchSize, maxMessages: settings.maxMessages, idleTimeoutSeconds: settings.idleTimeoutSeconds, retry, log };
    const reason = await pullLoop(loop, source, leases, (messages, index) => batches.handle(messages, index), () => stopping);
    await acks.drained();
    options.onStop?.(reason);
  } catch (err) {
    acks.abandon();
    if (!(err instanceof SourceUnavailableError)) throw err;
    const committed = `this run committed what it had read (${run.counts.read.toLocaleString("en-US")} messages; its counts are in job_runs)`;
    throw new SourceUnavailableError(`${err.message}; ${committed}`, { cause: err.cause });
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return summaryOf(run, now);
}

type Settings = StreamJobOptions & typeof DEFAULTS;

interface RunState {
  contract: Contract;
  runId: string;
  startedAt: string;
  counts: ChunkCounts;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function summaryOf(run: RunState, now: () => number): JobSummary {
  return { job: "stream", runId: run.runId, schema: run.contract.name, startedAt: run.startedAt, finishedAt: new Date(now()).toISOString(), ...run.counts };
}

/** The subscription's lease settings; when they cannot be read the job says so and runs on (they only shape its stop). */
async function readLeases(source: MessageSource, retry: RetryPolicy, log: (line: string) => void): Promise<LeaseInfo | undefined> {
  try {
    return await withRetry("reading the subscription", () => source.leases(), retry);
  } catch (err) {
    if ((err as Error).name === "SourceUnavailableError") throw err;
    log(`could not read the subscription's ack deadline (${describe(err)}): messages a killed run left leased may come back only after this run stops`);
    return undefined;
  }
}

interface HandlerContext {
  settings: Settings;
  run: RunState;
  workDir: string;
  warehouse: Warehouse;
  source: MessageSource;
  retry: RetryPolicy;
  log: (line: string) => void;
  acks: AckQueue;
  now: () => number;
}

/** One micro-batch: commit it (isolating what fails alone), ack what landed, hand back what did not. */
class BatchHandler {
  private failures = 0;

  constructor(private readonly ctx: HandlerContext) {}

  async handle(messages: PulledMessage[], index: number): Promise<void> {
    const { settings, run, source, retry, log, acks, now } = this.ctx;
    let batch = emptyCounts();
    let part = 0;
    const commitPart = async (part_: PulledMessage[], failedAlone?: string) => {
      const batchRun = { options: settings, contract: run.contract, runId: run.runId, nowMs: now(), chunkDir: path.join(this.ctx.workDir, `batch-${index}-${part++}`) };
      const summaryWith = (more: ChunkCounts) => summaryOf({ ...run, counts: addCounts(run.counts, more) }, now);
      const counts = await processBatch(batchRun, part_, this.ctx.warehouse, summaryWith, failedAlone);
      run.counts = addCounts(run.counts, counts);
      batch = addCounts(batch, counts);
    };
    const committer = { commit: (part_: PulledMessage[]) => commitPart(part_), deadLetter: (m: PulledMessage, failure: string) => commitPart([m], failure) };
    const isolation = { ...DEFAULT_ISOLATION, ...definedOnly(settings.isolation ?? {}) };
    const outcome = await commitIsolating(messages, committer, isolation, (line) => log(`micro-batch ${index}: ${line}`));
    acks.ack(outcome.landed.map((m) => m.ackId));
    if (outcome.landed.length > 0) {
      const publishTimes = outcome.landed.map((m) => Date.parse(m.publishTime));
      settings.onBatch?.({ summary: summaryOf(run, now), batch, publishTimes, committedAt: now() });
    }
    if (outcome.returned.length === 0) return void (this.failures = 0);
    await withRetry("nack", () => source.nack(outcome.returned.map((m) => m.ackId)), retry).catch((err) => log(`nack of ${outcome.returned.length} messages failed (they come back when their lease ends): ${describe(err)}`));
    if (++this.failures >= MAX_CONSECUTIVE_FAILURES) {
      throw new Error(`${this.failures} micro-batches failed in a row; stopping (their messages were handed back and will be redelivered): ${outcome.failure}`);
    }
  }
}

interface BatchRun {
  options: Settings;
  contract: Contract;
  runId: string;
  nowMs: number;
  chunkDir: string;
}

async function processBatch(run: BatchRun, messages: PulledMessage[], warehouse: Warehouse, runSummary: (more: ChunkCounts) => JobSummary, failedAlone?: string): Promise<ChunkCounts> {
  fs.mkdirSync(run.chunkDir, { recursive: true });
  try {
    return await runBatch(run, messages, warehouse, runSummary, failedAlone);
  } finally {
    fs.rmSync(run.chunkDir, { recursive: true, force: true });
  }
}

async function runBatch(run: BatchRun, messages: PulledMessage[], warehouse: Warehouse, runSummary: (more: ChunkCounts) => JobSummary, failedAlone?: string): Promise<ChunkCounts> {
  const batch = path.join(run.chunkDir, "messages.jsonl");
  const out = new JsonLinesAppender(batch);
  messages.forEach((m) => out.append(messageRecord(m, failedAlone)));
  out.close();
  const { options, contract, runId, nowMs, chunkDir } = run;
  const subscription = `pubsub://${options.subscription}`;
  return runChunk(
    {
      contract,
      schemasDir: options.schemasDir,
      jobName: "stream",
      runId,
      nowMs,
      chunkDir,
      source: { kind: "messages", batch, subscription, maxDeliveryAttempts: options.maxDeliveryAttempts },
      replace: false,
      maxRecordBytes: options.maxRecordBytes,
    },
    warehouse,
    runSummary,
  );
}

function messageRecord(m: PulledMessage, failedAlone?: string): MessageRecord {
  const record: MessageRecord = { messageId: m.messageId, data: m.data, attributes: m.attributes, publishTime: m.publishTime, deliveryAttempt: m.deliveryAttempt };
  return failedAlone === undefined ? record : { ...record, failedAlone };
}
