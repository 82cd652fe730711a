import * as fs from "fs";
import * as path from "path";
import { loadContract } from "../schemas/load";
import { checkFeatureModule } from "../transforms/features";
import type { Contract } from "../schemas/contract";
import type { MessageSource, PulledMessage, Warehouse } from "../io/ports";
import { JsonLinesAppender } from "../io/local/json-lines";
import type { MessageRecord } from "../transforms/decode/message";
import { addCounts, emptyCounts, type ChunkCounts, type JobSummary } from "../transforms/summary";
import { runChunk } from "./chunk-run";
import { newRunId } from "./batch-job";
import { beginRun, endRun } from "./run-lifecycle";

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
}

export interface BatchEvent {
  summary: JobSummary;
  batch: ChunkCounts;
  publishTimes: number[];
  committedAt: number;
}

const DEFAULTS = { idleTimeoutSeconds: 10, batchSize: 5000, maxDeliveryAttempts: 5, maxRecordBytes: 1 << 20 };
const IDLE_PAUSE_MS = 50;
const MAX_CONSECUTIVE_FAILURES = 10;

/**
 * The streaming job on the local runner, in micro-batches: pull → run the same bounded pipeline as the batch job over
 * the batch → commit to the warehouse → ack. A message is acked only once its row or its dead letter is committed,
 * so a crash at any point redelivers it, and the warehouse's id check counts the redelivery as a duplicate.
 */
export async function runStreamJob(options: StreamJobOptions, source: MessageSource, warehouse: Warehouse): Promise<JobSummary> {
  const settings: Settings = { ...options, ...DEFAULTS, ...definedOnly(options) };
  const now = options.now ?? Date.now;
  const contract = loadContract(options.schema, { dir: options.schemasDir });
  checkFeatureModule(contract);
  await warehouse.ensureTables(contract);
  const run = { contract, runId: newRunId("stream", now()), startedAt: new Date(now()).toISOString(), counts: emptyCounts() };
  const workDir = await beginRun(warehouse, summaryOf(run, now), options.workDir);
  let stopping = false;
  options.stopSignal?.then(() => (stopping = true));
  const acks = new AckQueue(source);
  try {
    await pullLoop(settings, source, async (messages, index) => {
      const batchRun = { options: settings, contract, runId: run.runId, nowMs: now(), chunkDir: path.join(workDir, `batch-${index}`) };
      const summaryWith = (more: ChunkCounts) => summaryOf({ ...run, counts: addCounts(run.counts, more) }, now);
      const counts = await processBatch(batchRun, messages, warehouse, summaryWith);
      acks.ack(messages.map((m) => m.ackId));
      run.counts = addCounts(run.counts, counts);
      options.onBatch?.({ summary: summaryOf(run, now), batch: counts, publishTimes: messages.map((m) => Date.parse(m.publishTime)), committedAt: now() });
    }, () => stopping);
    await acks.drained();
  } catch (err) {
    await endRun(warehouse, summaryOf(run, now), "failed");
    throw err;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  await endRun(warehouse, summaryOf(run, now), "finished");
  return summaryOf(run, now);
}

type Settings = StreamJobOptions & typeof DEFAULTS;

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function summaryOf(run: { contract: Contract; runId: string; startedAt: string; counts: ChunkCounts }, now: () => number): JobSummary {
  return { job: "stream", runId: run.runId, schema: run.contract.name, startedAt: run.startedAt, finishedAt: new Date(now()).toISOString(), ...run.counts };
}

/** Pulls the next batch while the current one is processed; stops when idle, at maxMessages, or when asked. */
async function pullLoop(settings: Settings, source: MessageSource, handle: (messages: PulledMessage[], index: number) => Promise<void>, stopRequested: () => boolean): Promise<void> {
  let remaining = settings.maxMessages ?? Infinity;
  let idleSince = Date.now();
  let failures = 0;
  let next: Promise<PulledMessage[]> | undefined = source.pull(Math.min(settings.batchSize, remaining));
  for (let index = 0; next; index++) {
    const messages: PulledMessage[] = await next;
    remaining -= messages.length;
    const idle: boolean = messages.length === 0 && Date.now() - idleSince > settings.idleTimeoutSeconds * 1000;
    next = remaining > 0 && !idle && !stopRequested() ? pullAfterPause(source, Math.min(settings.batchSize, remaining), messages.length === 0) : undefined;
    if (messages.length === 0) continue;
    idleSince = Date.now();
    failures = (await handleOrNack(handle, messages, index, source)) ? 0 : failures + 1;
    if (failures >= MAX_CONSECUTIVE_FAILURES) throw new Error(`${failures} micro-batches failed in a row; stopping (their messages were nacked and will be redelivered)`);
  }
}

async function pullAfterPause(source: MessageSource, max: number, pause: boolean): Promise<PulledMessage[]> {
  if (pause) await new Promise((resolve) => setTimeout(resolve, IDLE_PAUSE_MS));
  return source.pull(max);
}

/** A failed micro-batch is nacked whole: its messages come back with a higher delivery attempt. */
async function handleOrNack(handle: (m: PulledMessage[], i: number) => Promise<void>, messages: PulledMessage[], index: number, source: MessageSource): Promise<boolean> {
  try {
    await handle(messages, index);
    return true;
  } catch (err) {
    console.error(`micro-batch ${index} failed, ${messages.length} messages nacked: ${(err as Error).message}`);
    await source.nack(messages.map((m) => m.ackId));
    return false;
  }
}

interface BatchRun {
  options: Settings;
  contract: Contract;
  runId: string;
  nowMs: number;
  chunkDir: string;
}

async function processBatch(run: BatchRun, messages: PulledMessage[], warehouse: Warehouse, runSummary: (more: ChunkCounts) => JobSummary): Promise<ChunkCounts> {
  fs.mkdirSync(run.chunkDir, { recursive: true });
  const batch = path.join(run.chunkDir, "messages.jsonl");
  const out = new JsonLinesAppender(batch);
  messages.forEach((m) => out.append(messageRecord(m)));
  out.close();
  const { options, contract, runId, nowMs, chunkDir } = run;
  const subscription = `pubsub://${options.subscription}`;
  const counts = await runChunk(
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
  fs.rmSync(chunkDir, { recursive: true, force: true });
  return counts;
}

function messageRecord(m: PulledMessage): MessageRecord {
  return { messageId: m.messageId, data: m.data, attributes: m.attributes, publishTime: m.publishTime, deliveryAttempt: m.deliveryAttempt };
}

/**
 * Acks go out in order once their batch is committed, without holding up the next batch: a lost ack only means a
 * redelivery, which the warehouse's id check counts as a duplicate.
 */
class AckQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly source: MessageSource) {}

  ack(ackIds: string[]): void {
    this.tail = this.tail.then(() => this.source.ack(ackIds)).catch((err) => console.error(`ack of ${ackIds.length} messages failed (they will be redelivered and counted as duplicates): ${(err as Error).message}`));
  }

  drained(): Promise<void> {
    return this.tail;
  }
}
