import type { Readable } from "stream";
import type { Contract } from "../schemas/contract";
import type { JobSummary, RunStatus } from "../transforms/summary";
import type { DeadLetterSelection } from "../transforms/replay";

/** What one chunk of a job staged on disk: JSON-lines files the warehouse loads after the pipeline run. */
export interface StagedChunk {
  events: string;
  deadLetters: string;
  /** Partial window aggregates by window name. */
  windowPartials: Record<string, string>;
  /**
   * A replay's chunk: its dead letters are not appended, the stored ones it replayed are updated in place from this
   * file (`SettledDeadLetter` rows), in the same transaction; `rows` is how many live rows they must match.
   */
  replayed?: { path: string; rows: number };
  /** A scored micro-batch: its fresh events' predictions and score dead letters, committed in the same transaction. */
  predictions?: StagedPredictions;
}

/** A micro-batch's scoring output as JSON lines: `<table>_predictions` rows, and dead letters of stage `score`. */
export interface StagedPredictions {
  rows: string;
  deadLetters: string;
}

export interface PrepareReport {
  /** Events staged by the pipeline (already deduplicated within the chunk). */
  staged: number;
  /** Of those, the ones the events table does not hold yet: they are written, and aggregated, exactly once. */
  fresh: number;
  alreadyPresent: number;
  /** Date partitions (YYYY-MM-DD, UTC) emptied for `replace`. */
  replacedPartitions: string[];
}

export interface CommitReport {
  eventsWritten: number;
  deadLettersWritten: number;
  windowRows: Record<string, number>;
  /** Stored dead letters a replay chunk updated (settled, or failed again with a new reason). */
  deadLettersReplayed?: number;
  /** A scored chunk: prediction rows added, and score dead letters (events written without a prediction). */
  predictionsWritten?: number;
  scoreDeadLettersWritten?: number;
}

/** What `exportDeadLetters` wrote. */
export interface DeadLetterExport {
  rows: number;
  /** The schemas the run's dead letters (all of them, live or settled) were checked against; none when it has none. */
  runSchemas: string[];
}

/**
 * A chunk between its prepare and its commit, as `prepareChunk` returns it: the warehouse keeps nothing of it, the
 * handle does. Used once: `commit` or `abort` (a second use is refused with `ChunkHandleUsedError`); a commit that fails
 * has undone its own work. A caller aborts in a `finally` while the handle is still `open`.
 */
export interface PreparedChunk<R extends PrepareReport = PrepareReport, C = StagedChunk> {
  readonly report: R;
  /** True until `commit` or `abort` is called. */
  readonly open: boolean;
  /** Rows of a query as the commit will see the warehouse (inside the chunk's transaction where there is one). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /**
   * Appends, merges and (when `runSummary` is given) records the run's summary so far in the `job_runs` table, all in
   * one transaction: a run killed at any moment leaves a summary that matches exactly what it committed.
   */
  commit(chunk: C, runSummary?: (report: CommitReport) => JobSummary): Promise<CommitReport>;
  /** Drops the prepared chunk (its transaction, its staged rows) after a failure between prepare and commit. */
  abort(): Promise<void>;
}

/**
 * The warehouse role: DuckDB locally, BigQuery on Google Cloud. A chunk is loaded in two steps so the window pass
 * sees only events new to the table: `prepareChunk` (stage, find the fresh events, export them) returns a handle whose
 * `commit` appends events, merges window partials and appends dead letters — atomically where the warehouse allows.
 */
export interface Warehouse {
  /**
   * Input bytes per batch-job chunk when the run does not say: a warehouse whose per-chunk cost is a few remote jobs
   * wants fewer, larger chunks than one whose memory is the machine's. Unset: the batch job's own default.
   */
  readonly defaultChunkBytes?: number;
  ensureTables(contract: Contract): Promise<void>;
  prepareChunk(
    contract: Contract,
    chunk: StagedChunk,
    freshEventsPath: string,
    opts: { replace: boolean },
  ): Promise<PreparedChunk>;
  /**
   * Records a run in `job_runs` outside any chunk: when it starts (`running`, so a run that reads nothing still has its
   * row) and when it ends (`finished`, `failed`). Each committed chunk updates the row as `running`.
   */
  recordRun(summary: JobSummary, status: RunStatus): Promise<void>;
  /** Marks `running` runs whose process is gone as `abandoned` (a killed run never finishes); returns their ids. */
  markAbandonedRuns(): Promise<string[]>;
  /**
   * Writes the live (not settled by a replay) dead letters of a run that match the selection to `out`, as JSON lines of
   * `StoredDeadLetter` (raw bytes as base64), the rows of one source next to each other.
   */
  exportDeadLetters(selection: DeadLetterSelection, out: string): Promise<DeadLetterExport>;
  /** Rows of a query, for tests and the demo's previews. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** The staging tables one Dataflow batch run wrote its events and dead letters to (named by `runStageTables`). */
export interface RunStageTables {
  events: string;
  deadLetters: string;
}

/** What a run stage's prepare found: a chunk's prepare report, plus the dead letters the run staged (all, by reason). */
export interface RunStageReport extends PrepareReport {
  deadLettered: number;
  /** Staged dead letters by `<errorStage>/<errorClass>`, as a local chunk's summary tallies them. */
  deadLetterReasons: Record<string, number>;
}

/**
 * A warehouse a Dataflow batch run staged into (BigQuery): its staging tables are prepared like a chunk (fresh events
 * exported for the window pass) and committed with the window partials; the commit drops them.
 */
export interface RunStageWarehouse extends Pick<Warehouse, "ensureTables" | "recordRun" | "close"> {
  /** Whether the run left any staging table (a job that wrote neither an event nor a dead letter leaves none). */
  hasRunStage(run: RunStageTables): Promise<boolean>;
  /** Refuses (`InputError`) a run without staging tables: finalized already, or it wrote nothing. */
  prepareRunStage(
    contract: Contract,
    run: RunStageTables,
    freshEventsPath: string,
    opts: { replace: boolean },
  ): Promise<PreparedChunk<RunStageReport, Pick<StagedChunk, "windowPartials">>>;
}

/** A message as pulled from a subscription (Pub/Sub, or its emulator). */
export interface PulledMessage {
  ackId: string;
  messageId: string;
  /** The payload as base64, as the Pub/Sub wire format carries it. */
  data: string;
  attributes: Record<string, string>;
  publishTime: string;
  /** 1 on first delivery; counts redeliveries when the subscription has a dead-letter policy (else 1 or the source's own count). */
  deliveryAttempt: number;
}

/** How long the messages a consumer pulls stay leased to it, as far as a source can tell. */
export interface LeaseInfo {
  /** The subscription's ack deadline: a pulled, unacked message is delivered again at most this long after its pull. */
  ackDeadlineSeconds: number;
  /**
   * Whether messages pulled before this source was opened (by a run that was killed, say) may still be leased: false
   * only for a subscription this source created itself.
   */
  earlierLeasesPossible: boolean;
}

/** The message-source role: the Pub/Sub emulator locally, Pub/Sub on Google Cloud. */
export interface MessageSource {
  /**
   * Up to `max` messages, by long polls: waits up to about `waitSeconds` (default 10) for the first message, and
   * returns [] if none came. May return fewer than `max` (the emulator returns at most 100 per request). Rejects when
   * nothing could be pulled; when one of several requests failed it returns what the others brought and tells
   * `onLost` (that request's messages, if the server had handed it any, come back when their lease ends). Once the
   * first request brought messages, `stopFilling` (if given) is asked, with the first message's publish time, before
   * each further round of requests is sent: true returns what came so far.
   */
  pull(
    max: number,
    waitSeconds?: number,
    onLost?: (err: unknown) => void,
    stopFilling?: (firstPublishTime: string) => boolean,
  ): Promise<PulledMessage[]>;
  ack(ackIds: string[]): Promise<void>;
  /** Hands the messages back for redelivery now (ack deadline 0). */
  nack(ackIds: string[]): Promise<void>;
  extendDeadline(ackIds: string[], seconds: number): Promise<void>;
  /** The subscription's lease settings; rejects when they cannot be read (a missing subscription, no permission). */
  leases(): Promise<LeaseInfo>;
  close(): Promise<void>;
}

/** One object (or file) a file source lists. */
export interface SourceObject {
  /** Where it lives: `gs://bucket/object`, or an absolute local path. Dead letters name their source by it. */
  uri: string;
  /** Its name below the listed pattern's fixed root, `/`-separated: what staging recreates under a local folder. */
  name: string;
  size: number;
  /** Cloud Storage's generation, so a read can pin the very version that was listed. */
  generation?: string;
}

/** An object or file a listing passed over, and why: a hidden name, a `_SUCCESS`-style marker, a symbolic link. */
export interface SkippedInput {
  uri: string;
  reason: string;
}

/** Bytes [start, end) of an object; `end` defaults to its size, and both are clamped to it. */
export interface ByteRange {
  start: number;
  end?: number;
}

/**
 * The file-source role: a local folder, or Cloud Storage. A pattern is a prefix plus an optional glob (`*`, `**`, `?`,
 * `{a,b}`): without a glob it names one object, or every object below it as a folder. Names with a segment starting
 * with `.` or `_` below the root are skipped (hidden files, `_SUCCESS` markers), as `io/files/list-files.ts` does.
 */
export interface FileSource {
  /**
   * The matching objects, sorted by name; none (not an error) when nothing matches. A missing bucket is
   * `FileNotFoundError`. `onSkip` hears of each object the pattern names but the listing skips (hidden, markers).
   */
  list(pattern: string, options?: { onSkip?: (skipped: SkippedInput) => void }): Promise<SourceObject[]>;
  /** The object's bytes; rejects with `FileNotFoundError` when it (or the given generation) does not exist. */
  read(uri: string, options?: { range?: ByteRange; generation?: string }): Promise<Readable>;
  stat(uri: string): Promise<SourceObject>;
}
