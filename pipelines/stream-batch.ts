import * as fs from "fs";
import * as path from "path";
import type { Contract } from "../schemas/contract";
import type { MessageSource, PulledMessage, Warehouse } from "../io/ports";
import { JsonLinesAppender } from "../io/files/json-lines";
import type { MessageRecord } from "../transforms/decode/message";
import { addCounts, emptyCounts, type ChunkCounts, type JobSummary } from "../transforms/summary";
import type { AckQueue } from "./ack-queue";
import { runChunk } from "./chunk-run";
import { commitIsolating, describe, type IsolationPolicy } from "./stream-isolate";
import { withRetry, type RetryPolicy } from "./source-retry";
import type { StreamSettings } from "./stream-settings";
import type { ChunkScoring, StreamModel } from "./stream-score";

/** What a streaming run has committed so far. */
export interface RunState {
  contract: Contract;
  runId: string;
  startedAt: string;
  counts: ChunkCounts;
}

export function summaryOf(run: RunState, now: () => number): JobSummary {
  const finishedAt = new Date(now()).toISOString();
  const { runId, startedAt, counts } = run;
  return { job: "stream", runId, schema: run.contract.name, startedAt, finishedAt, ...counts };
}

export interface HandlerContext {
  settings: StreamSettings;
  run: RunState;
  workDir: string;
  warehouse: Warehouse;
  source: MessageSource;
  retry: RetryPolicy;
  isolation: IsolationPolicy;
  log: (line: string) => void;
  acks: AckQueue;
  now: () => number;
}

/** Micro-batches after several failed in a row, none of it pinned on single messages, the job stops. */
const MAX_CONSECUTIVE_FAILURES = 10;

/** One micro-batch: commit it (isolating what fails alone), ack what landed, hand back what did not. */
export class BatchHandler {
  private failures = 0;

  constructor(private readonly ctx: HandlerContext) {}

  async handle(messages: PulledMessage[], index: number): Promise<void> {
    const { settings, run, isolation, log, acks, now } = this.ctx;
    const committed = { counts: emptyCounts(), parts: 0 };
    const model = await settings.score?.current();
    const commit = async (part: PulledMessage[], failedAlone?: string) => {
      const name = `batch-${index}-${committed.parts++}`;
      const counts = await this.commitPart(part, { name, model, failedAlone });
      committed.counts = addCounts(committed.counts, counts);
    };
    const committer = {
      commit: (part: PulledMessage[]) => commit(part),
      deadLetter: (message: PulledMessage, failure: string) => commit([message], failure),
    };
    const logBatch = (line: string) => log(`micro-batch ${index}: ${line}`);
    const outcome = await commitIsolating(messages, committer, isolation, logBatch);
    acks.ack(outcome.landed.map((m) => m.ackId));
    if (outcome.landed.length > 0) {
      const publishTimes = outcome.landed.map((m) => Date.parse(m.publishTime));
      const event = { summary: summaryOf(run, now), batch: committed.counts, publishTimes, committedAt: now() };
      settings.onBatch?.(event);
      await settings.afterBatch?.(event);
    }
    if (outcome.returned.length === 0) return void (this.failures = 0);
    await this.handBack(outcome.returned);
    if (++this.failures >= MAX_CONSECUTIVE_FAILURES) {
      const handedBack = "their messages were handed back and will be redelivered";
      throw new Error(`${this.failures} micro-batches failed in a row; stopping (${handedBack}): ${outcome.failure}`);
    }
  }

  /** Runs and commits some of the batch's messages; the run's counts (and its job_runs row) include them at once. */
  private async commitPart(messages: PulledMessage[], part: PartOptions): Promise<ChunkCounts> {
    const { settings, run, now, warehouse } = this.ctx;
    const { name, model, failedAlone } = part;
    const chunkDir = path.join(this.ctx.workDir, name);
    const nowMs = now();
    const score = model &&
      settings.score && { model, sql: settings.score.sql, jobName: "stream", runId: run.runId, nowMs };
    const batchRun = { options: settings, contract: run.contract, runId: run.runId, nowMs, chunkDir, score };
    const summaryWith = (more: ChunkCounts) => summaryOf({ ...run, counts: addCounts(run.counts, more) }, now);
    const counts = await processBatch(batchRun, messages, warehouse, summaryWith, failedAlone);
    run.counts = addCounts(run.counts, counts);
    return counts;
  }

  private async handBack(messages: PulledMessage[]): Promise<void> {
    const { source, retry, log } = this.ctx;
    try {
      await withRetry("nack", () => source.nack(messages.map((m) => m.ackId)), retry);
    } catch (err) {
      log(`nack of ${messages.length} messages failed (they come back when their lease ends): ${describe(err)}`);
    }
  }
}

/** One part of a micro-batch: its folder's name, the model scoring it, and the failure when it is a lone message. */
interface PartOptions {
  name: string;
  model?: StreamModel;
  failedAlone?: string;
}

interface BatchRun {
  score?: ChunkScoring;
  options: StreamSettings;
  contract: Contract;
  runId: string;
  nowMs: number;
  chunkDir: string;
}

type RunSummary = (more: ChunkCounts) => JobSummary;

async function processBatch(
  run: BatchRun,
  messages: PulledMessage[],
  warehouse: Warehouse,
  runSummary: RunSummary,
  failedAlone?: string,
): Promise<ChunkCounts> {
  fs.mkdirSync(run.chunkDir, { recursive: true });
  try {
    const batch = path.join(run.chunkDir, "messages.jsonl");
    const out = new JsonLinesAppender(batch);
    messages.forEach((m) => out.append(messageRecord(m, failedAlone)));
    out.close();
    return await runBatch(run, batch, warehouse, runSummary);
  } finally {
    fs.rmSync(run.chunkDir, { recursive: true, force: true });
  }
}

/** The staged batch through the same chunk runner as the batch job. */
function runBatch(run: BatchRun, batch: string, warehouse: Warehouse, runSummary: RunSummary): Promise<ChunkCounts> {
  const { options, contract, runId, nowMs, chunkDir, score } = run;
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
      score,
    },
    warehouse,
    runSummary,
  );
}

function messageRecord(m: PulledMessage, failedAlone?: string): MessageRecord {
  const { messageId, data, attributes, publishTime, deliveryAttempt } = m;
  const record: MessageRecord = { messageId, data, attributes, publishTime, deliveryAttempt };
  return failedAlone === undefined ? record : { ...record, failedAlone };
}
