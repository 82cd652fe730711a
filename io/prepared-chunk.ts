/** The one-use handle `Warehouse.prepareChunk` returns (`PreparedChunk` in `ports.ts`), shared by every warehouse. */
import type { CommitReport, PreparedChunk, PrepareReport, StagedChunk } from "./ports";
import type { JobSummary } from "../transforms/summary";

/**
 * A prepared chunk's handle was used a second time (committed or aborted already): a fault of the program, whose
 * chunk would otherwise land twice or be dropped after it landed.
 */
export class ChunkHandleUsedError extends Error {
  constructor(readonly step: "commit" | "abort" | "query") {
    super(`the prepared chunk was committed or aborted already: ${step} refused (a handle is used once)`);
    this.name = "ChunkHandleUsedError";
  }
}

/** What a warehouse does for one prepared chunk; `preparedChunk` makes it the once-only handle. */
export interface ChunkSteps<R extends PrepareReport, C> {
  report: R;
  query(sql: string): Promise<Record<string, unknown>[]>;
  commit(chunk: C, runSummary?: (report: CommitReport) => JobSummary): Promise<CommitReport>;
  abort(): Promise<void>;
}

/**
 * The handle over a warehouse's steps: `commit` or `abort` once, `query` only while it is open. A commit that fails
 * has undone its own work (its transaction), so the handle is closed either way and needs no abort after it.
 */
export function preparedChunk<R extends PrepareReport = PrepareReport, C = StagedChunk>(
  steps: ChunkSteps<R, C>,
): PreparedChunk<R, C> {
  let open = true;
  const close = (step: ChunkHandleUsedError["step"]) => {
    if (!open) throw new ChunkHandleUsedError(step);
    open = false;
  };
  return {
    report: steps.report,
    get open() {
      return open;
    },
    query: (sql) => (open ? steps.query(sql) : Promise.reject(new ChunkHandleUsedError("query"))),
    commit: async (chunk, runSummary) => {
      close("commit");
      return steps.commit(chunk, runSummary);
    },
    abort: async () => {
      close("abort");
      await steps.abort();
    },
  };
}
