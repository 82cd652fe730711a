import * as fs from "fs";
import * as path from "path";
import type { Contract } from "../schemas/contract";
import { countLines, readJsonLines } from "../io/files/json-lines";
import type { CommitReport, StagedChunk, Warehouse } from "../io/ports";
import { addTallies, type ChunkCounts, type JobSummary } from "../transforms/summary";
import { recordsCounted } from "../transforms/envelope";
import { runDirect } from "./direct";
import { ingestPipeline, READ_COUNTER, type IngestSource } from "./ingest-pipeline";
import { windowPipeline } from "./window-pipeline";
import { stagedFileSinks, type StagedPaths } from "./sinks";
import { stageScores, type ChunkScoring } from "./stream-score";
import { predictionsTableName } from "../schemas/tables";

/** One bounded unit of work of either job: a batch job's chunk of files, or a streaming job's micro-batch. */
export interface ChunkSpec {
  contract: Contract;
  schemasDir?: string;
  jobName: string;
  runId: string;
  nowMs: number;
  /** A fresh folder for the staged files of this chunk. */
  chunkDir: string;
  source: IngestSource;
  replace: boolean;
  maxRecordBytes: number;
  /**
   * A replay of stored dead letters: from what the chunk staged, the rows that update those dead letters in place
   * (`StagedChunk.replayed`); the chunk's own dead letters are then not appended.
   */
  settle?: (staged: StagedOutcome) => { path: string; rows: number };
  /** A scored streaming micro-batch: its fresh events are scored and their predictions committed with them. */
  score?: ChunkScoring;
}

/** Where a chunk's records ended, as staged files: the events the commit writes are those in `freshEvents`. */
export interface StagedOutcome {
  events: string;
  freshEvents: string;
  duplicates: string;
  deadLetters: string;
}

/** ingest pipeline → stage in the warehouse → (window pass over the fresh events if needed) → commit. */
export async function runChunk(
  spec: ChunkSpec,
  warehouse: Warehouse,
  runSummary?: (chunk: ChunkCounts) => JobSummary,
): Promise<ChunkCounts> {
  const paths = stagedPathsIn(spec.chunkDir);
  const read = await runIngest(spec, paths);
  return landStagedRun({ ...spec, read, windowsStaged: true }, paths, warehouse, runSummary);
}

/** What a finished run staged and how to land it; `windowsStaged`: the run wrote window partials of all its events. */
export interface StagedRun extends Pick<
  ChunkSpec,
  "contract" | "schemasDir" | "chunkDir" | "replace" | "settle" | "score"
> {
  read: number;
  windowsStaged: boolean;
}

/**
 * A run's staged files → the warehouse: stage, find the fresh events, the window pass over them when the run's own
 * partials do not fit (some events were held already, or the run wrote none), commit. Used by the DirectRunner's
 * chunks and by runs on another engine (Flink) that staged the same files.
 */
export async function landStagedRun(
  run: StagedRun,
  paths: StagedPaths,
  warehouse: Warehouse,
  runSummary?: (chunk: ChunkCounts) => JobSummary,
): Promise<ChunkCounts> {
  const { read, ...spec } = run;
  const staged = stagedChunk(spec.contract, paths);
  const freshEvents = path.join(spec.chunkDir, "fresh-events.jsonl");
  const prepared = await warehouse.prepareChunk(spec.contract, staged, freshEvents, { replace: spec.replace });
  try {
    const { alreadyPresent } = prepared.report;
    // The ingest run aggregated every unique event of the chunk; if some were loaded before, aggregate the fresh ones only.
    if (alreadyPresent > 0 || !run.windowsStaged) await runWindows(spec, freshEvents, paths);
    const scores =
      spec.score && (await stageScores(spec.score, spec.contract, freshEvents, paths, prepared, spec.chunkDir));
    const tallies = stagedCounts(read, paths, alreadyPresent, scores?.byReason);
    const countsOf = (committed: CommitReport) => chunkCounts(spec.contract, tallies, committed);
    const replayed = spec.settle ? replayChunk(staged, spec.settle({ ...paths, freshEvents }), spec.chunkDir) : staged;
    const toCommit = scores ? { ...replayed, predictions: scores.staged } : replayed;
    const summaryOf = runSummary && ((report: CommitReport) => runSummary(countsOf(report)));
    return countsOf(await prepared.commit(toCommit, summaryOf));
  } finally {
    if (prepared.open) await prepared.abort();
  }
}

/** A replay's chunk commits no new dead letters: it updates the ones it replayed. */
function replayChunk(staged: StagedChunk, replayed: { path: string; rows: number }, dir: string): StagedChunk {
  const none = path.join(dir, "no-dead-letters.jsonl");
  fs.writeFileSync(none, "");
  return { ...staged, deadLetters: none, replayed };
}

/** Empty staged files in `dir` (events, dead letters, duplicates) and where window partials go. */
export function stagedPathsIn(dir: string): StagedPaths {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => {
    const full = path.join(dir, name);
    fs.writeFileSync(full, "");
    return full;
  };
  const events = file("events.jsonl");
  const deadLetters = file("dead-letters.jsonl");
  const duplicates = file("duplicates.jsonl");
  return { events, deadLetters, duplicates, windowPartials: (window) => path.join(dir, `window-${window}.jsonl`) };
}

function stagedChunk(contract: Contract, paths: StagedPaths): StagedChunk {
  return {
    events: paths.events,
    deadLetters: paths.deadLetters,
    windowPartials: Object.fromEntries(windowsOf(contract).map((w) => [w.name, paths.windowPartials(w.name)])),
  };
}

async function runIngest(spec: ChunkSpec, paths: StagedPaths): Promise<number> {
  const { contract, schemasDir, jobName, runId, nowMs, source, maxRecordBytes } = spec;
  const options = {
    schema: contract.name,
    schemasDir,
    jobName,
    runId,
    nowMs,
    source,
    maxRecordBytes,
    windows: windowsOf(contract),
  };
  const result = await runDirect(ingestPipeline(options, stagedFileSinks(paths)));
  const counters = await result.counters();
  return counters[READ_COUNTER] ?? 0;
}

function windowsOf(contract: Contract): { name: string; sizeSeconds: number }[] {
  return (contract.features?.windows ?? []).map((w) => ({ name: w.name, sizeSeconds: w.sizeSeconds }));
}

async function runWindows(
  spec: Pick<ChunkSpec, "contract" | "schemasDir">,
  freshEvents: string,
  paths: StagedPaths,
): Promise<void> {
  const windows = windowsOf(spec.contract);
  windows.forEach((w) => fs.writeFileSync(paths.windowPartials(w.name), ""));
  if (windows.length === 0 || countLines(freshEvents) === 0) return;
  const options = { schema: spec.contract.name, schemasDir: spec.schemasDir, newEvents: freshEvents, windows };
  await runDirect(windowPipeline(options, stagedFileSinks(paths)));
}

/**
 * What the staged files say happened to the chunk's records: read once, before the commit that uses it. A dead letter
 * counts the records it stands for (a corrupt block's declared count), one when that is unknown — and says so.
 */
function stagedCounts(
  read: number,
  paths: StagedPaths,
  alreadyPresent: number,
  scoreReasons: Record<string, number> = {},
): Omit<ChunkCounts, "written" | "byTable"> {
  const inBatchDuplicates = countLines(paths.duplicates);
  const byReason: Record<string, number> = {};
  let deadLettered = 0;
  let uncounted = 0;
  for (const dead of readJsonLines(paths.deadLetters)) {
    const reason = `${dead.errorStage}/${dead.errorClass}`;
    const records = recordsCounted(dead as { records?: number | null });
    byReason[reason] = (byReason[reason] ?? 0) + records;
    deadLettered += records;
    if (dead.records === null) uncounted++;
  }
  const duplicateReasons = { "duplicate/in_batch": inBatchDuplicates, "duplicate/in_warehouse": alreadyPresent };
  const counts = {
    read,
    deadLettered,
    duplicates: inBatchDuplicates + alreadyPresent,
    // Score dead letters are tallied by reason but not in deadLettered: their events were written.
    byReason: addTallies(addTallies(byReason, nonZero(duplicateReasons)), scoreReasons),
  };
  return uncounted > 0 ? { ...counts, uncounted } : counts;
}

function chunkCounts(
  contract: Contract,
  staged: Omit<ChunkCounts, "written" | "byTable">,
  committed: CommitReport,
): ChunkCounts {
  const scored = committed.predictionsWritten !== undefined;
  const byTable = {
    [contract.table]: committed.eventsWritten,
    dead_letters: committed.deadLettersWritten + (committed.scoreDeadLettersWritten ?? 0),
    ...committed.windowRows,
    ...(scored ? { [predictionsTableName(contract)]: committed.predictionsWritten! } : {}),
  };
  return { ...staged, written: committed.eventsWritten, byTable };
}

function nonZero(tally: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(tally).filter(([, n]) => n > 0));
}
