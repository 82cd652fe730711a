import * as fs from "fs";
import * as path from "path";
import type { Contract } from "../../schemas/contract";
import type { DeadLetterExport, PreparedChunk, StagedChunk, Warehouse } from "../../io/ports";
import type { JobSummary, RunStatus } from "../../transforms/summary";
import type { DeadLetterSelection } from "../../transforms/replay";

/** Seconds one chunk spent in the warehouse, as the job saw them (its own pipeline time is the rest). */
export interface ChunkTiming {
  events: number;
  prepareSeconds: number;
  commitSeconds: number;
}

/**
 * Wraps a warehouse to time its calls without touching product code: prepare and commit per chunk, and the one-off
 * `ensureTables`. With `keepStagedIn`, each chunk's staged events file is hard-linked there before the warehouse sees
 * it (no copy, outside the timed call), so a baseline can load exactly the rows the job loaded.
 */
export class TimedWarehouse implements Warehouse {
  readonly chunks: ChunkTiming[] = [];
  ensureSeconds = 0;
  private staged = 0;

  constructor(
    private readonly inner: Warehouse,
    private readonly keepStagedIn?: string,
  ) {}

  get defaultChunkBytes(): number | undefined {
    return this.inner.defaultChunkBytes;
  }

  async ensureTables(contract: Contract): Promise<void> {
    const started = process.hrtime.bigint();
    await this.inner.ensureTables(contract);
    this.ensureSeconds += secondsSince(started);
  }

  async prepareChunk(
    contract: Contract,
    chunk: StagedChunk,
    freshEventsPath: string,
    opts: { replace: boolean },
  ): Promise<PreparedChunk> {
    if (this.keepStagedIn)
      fs.linkSync(chunk.events, path.join(this.keepStagedIn, `events-${String(this.staged++).padStart(4, "0")}.jsonl`));
    const started = process.hrtime.bigint();
    const prepared = await this.inner.prepareChunk(contract, chunk, freshEventsPath, opts);
    const timing = { events: prepared.report.staged, prepareSeconds: secondsSince(started), commitSeconds: 0 };
    this.chunks.push(timing);
    return {
      report: prepared.report,
      get open() {
        return prepared.open;
      },
      query: (sql) => prepared.query(sql),
      commit: async (toCommit, runSummary) => {
        const committing = process.hrtime.bigint();
        const report = await prepared.commit(toCommit, runSummary);
        timing.commitSeconds = secondsSince(committing);
        return report;
      },
      abort: () => prepared.abort(),
    };
  }

  recordRun(summary: JobSummary, status: RunStatus): Promise<void> {
    return this.inner.recordRun(summary, status);
  }

  markAbandonedRuns(): Promise<string[]> {
    return this.inner.markAbandonedRuns();
  }

  exportDeadLetters(selection: DeadLetterSelection, out: string): Promise<DeadLetterExport> {
    return this.inner.exportDeadLetters(selection, out);
  }

  query(sql: string): Promise<Record<string, unknown>[]> {
    return this.inner.query(sql);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
