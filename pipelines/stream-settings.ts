/** What the streaming job is given, and its defaults: shared by the job and its micro-batch handler. */
import type { ChunkCounts, JobSummary } from "../transforms/summary";
import type { IsolationPolicy } from "./stream-isolate";
import type { StopReason } from "./stream-pull-loop";
import type { RetryPolicy } from "./source-retry";
import type { ModelFeed } from "./stream-score";

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
  /**
   * A micro-batch closes on time as well as size: while the job waits for it, live traffic stops filling a batch this
   * many milliseconds after its first message and commits what came (default 250; 0: only full, or once the pulls
   * catch up); a backlog fills whole batches. The next batch is pulled meanwhile.
   */
  batchWindowMs?: number;
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
  /**
   * Score every written event with this feed's model (asked again before each micro-batch, so an alias move is picked
   * up without a restart) and commit its prediction, or its score dead letter, in the event's own transaction.
   */
  score?: ModelFeed;
  /**
   * Awaited after every committed micro-batch, before the next is processed (its pulls go on): work that must not overlap a commit on the
   * same warehouse (the per-window monitor). A rejection stops the job; what it committed stays.
   */
  afterBatch?: (event: BatchEvent) => Promise<void>;
  /** Called once the job stops normally, with why. */
  onStop?: (reason: StopReason) => void;
}

export interface BatchEvent {
  summary: JobSummary;
  batch: ChunkCounts;
  publishTimes: number[];
  committedAt: number;
}

export const DEFAULTS = {
  idleTimeoutSeconds: 10,
  batchSize: 5000,
  batchWindowMs: 250,
  maxDeliveryAttempts: 5,
  maxRecordBytes: 1 << 20,
};

export type StreamSettings = StreamJobOptions & typeof DEFAULTS;
