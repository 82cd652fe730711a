import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runDirect } from "./direct";
import type { Contract } from "../schemas/contract";
import { loadContract } from "../schemas/load";
import { detectFormat, planSplits, type FileFormat, type FileSplit } from "../io/local/splits";
import { InputError, listInputFiles } from "../io/local/list-files";
import { countLines, readJsonLines } from "../io/local/json-lines";
import type { StagedChunk, Warehouse } from "../io/ports";
import { addCounts, addTallies, emptyCounts, type ChunkCounts, type JobSummary } from "../transforms/summary";
import { groupIntoChunks } from "./chunks";
import { ingestPipeline, READ_COUNTER } from "./ingest-pipeline";
import { windowPipeline } from "./window-pipeline";
import { stagedFileSinks, type StagedPaths } from "./sinks";

export interface BatchJobOptions {
  input: string;
  schema: string;
  schemasDir?: string;
  format?: FileFormat;
  replace?: boolean;
  /** Input bytes per pipeline run; bounds the memory of the in-run grouping (dedupe). */
  chunkBytes?: number;
  maxRecordBytes?: number;
  workDir?: string;
  onProgress?: (progress: { read: number; elapsedMs: number; chunk: number; chunks: number }) => void;
  now?: () => number;
}

const DEFAULT_CHUNK_BYTES = 8 << 20;
const DEFAULT_MAX_RECORD_BYTES = 1 << 20;

/** Runs the batch job chunk by chunk on the DirectRunner and loads each chunk into the warehouse. */
export async function runBatchJob(options: BatchJobOptions, warehouse: Warehouse): Promise<JobSummary> {
  const now = options.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const runId = newRunId("batch", now());
  const contract = loadContract(options.schema, { dir: options.schemasDir });
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const chunks = groupIntoChunks(planInput(options, chunkBytes), chunkBytes);
  await warehouse.ensureTables(contract);
  const workDir = fs.mkdtempSync(path.join(options.workDir ?? os.tmpdir(), `rox-${runId}-`));
  let counts = emptyCounts();
  try {
    for (const [index, chunk] of chunks.entries()) {
      const chunkDir = path.join(workDir, `chunk-${index}`);
      counts = addCounts(counts, await runChunk({ options, contract, runId, nowMs: now(), chunkDir, splits: chunk }, warehouse));
      options.onProgress?.({ read: counts.read, elapsedMs: now() - Date.parse(startedAt), chunk: index + 1, chunks: chunks.length });
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return { job: "batch", runId, schema: contract.name, startedAt, finishedAt: new Date(now()).toISOString(), ...counts };
}

/** Splits no larger than a chunk, so a big file is cut across chunks instead of filling one. */
function planInput(options: BatchJobOptions, chunkBytes: number): FileSplit[] {
  return listInputFiles(options.input).flatMap((file) => planSplits(file, formatOf(file, options.format), { targetBytes: chunkBytes }));
}

function formatOf(file: string, format: FileFormat | undefined): FileFormat {
  const found = format ?? detectFormat(file);
  if (!found) throw new InputError(`cannot tell the format of ${file} from its name: pass --format jsonl|csv|avro|parquet`);
  return found;
}

export function newRunId(job: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${job}-${stamp}-${Math.random().toString(16).slice(2, 8)}`;
}

interface ChunkRun {
  options: BatchJobOptions;
  contract: Contract;
  runId: string;
  nowMs: number;
  chunkDir: string;
  splits: FileSplit[];
}

/** One chunk: ingest pipeline → stage in the warehouse → window pipeline over the fresh events → commit. */
async function runChunk(run: ChunkRun, warehouse: Warehouse): Promise<ChunkCounts> {
  fs.mkdirSync(run.chunkDir, { recursive: true });
  const paths = stagedPathsIn(run.chunkDir);
  const manifest = path.join(run.chunkDir, "manifest.json");
  fs.writeFileSync(manifest, JSON.stringify(run.splits));
  const read = await runIngest(run, manifest, paths);
  const staged = stagedChunk(run.contract, paths);
  const freshEvents = path.join(run.chunkDir, "fresh-events.jsonl");
  const prepared = await warehouse.prepareChunk(run.contract, staged, freshEvents, { replace: run.options.replace ?? false });
  // The ingest run aggregated every unique event of the chunk; if some were loaded before, aggregate the fresh ones only.
  if (prepared.alreadyPresent > 0) await runWindows(run, freshEvents, paths);
  const committed = await warehouse.commitChunk(run.contract, staged);
  return chunkCounts(run.contract, read, paths, prepared.alreadyPresent, committed);
}

function stagedPathsIn(dir: string): StagedPaths {
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
  const windows = contract.features?.windows ?? [];
  return {
    events: paths.events,
    deadLetters: paths.deadLetters,
    windowPartials: Object.fromEntries(windows.map((w) => [w.name, paths.windowPartials(w.name)])),
  };
}

async function runIngest(run: ChunkRun, manifest: string, paths: StagedPaths): Promise<number> {
  const options = {
    schema: run.contract.name,
    schemasDir: run.options.schemasDir,
    jobName: "batch",
    runId: run.runId,
    nowMs: run.nowMs,
    manifest,
    maxRecordBytes: run.options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    windows: windowsOf(run.contract),
  };
  const result = await runDirect(ingestPipeline(options, stagedFileSinks(paths)));
  const counters = await result.counters();
  return counters[READ_COUNTER] ?? 0;
}

function windowsOf(contract: Contract): { name: string; sizeSeconds: number }[] {
  return (contract.features?.windows ?? []).map((w) => ({ name: w.name, sizeSeconds: w.sizeSeconds }));
}

async function runWindows(run: ChunkRun, freshEvents: string, paths: StagedPaths): Promise<void> {
  const windows = windowsOf(run.contract);
  windows.forEach((w) => fs.writeFileSync(paths.windowPartials(w.name), ""));
  if (windows.length === 0 || countLines(freshEvents) === 0) return;
  const options = { schema: run.contract.name, schemasDir: run.options.schemasDir, newEvents: freshEvents, windows };
  await runDirect(windowPipeline(options, stagedFileSinks(paths)));
}

function chunkCounts(contract: Contract, read: number, paths: StagedPaths, alreadyPresent: number, committed: { eventsWritten: number; deadLettersWritten: number; windowRows: Record<string, number> }): ChunkCounts {
  const inRunDuplicates = countLines(paths.duplicates);
  const deadLettered = countLines(paths.deadLetters);
  const byReason: Record<string, number> = {};
  for (const dead of readJsonLines(paths.deadLetters)) byReason[`${dead.errorStage}/${dead.errorClass}`] = (byReason[`${dead.errorStage}/${dead.errorClass}`] ?? 0) + 1;
  const duplicateReasons = { "duplicate/in_run": inRunDuplicates, "duplicate/already_loaded": alreadyPresent };
  return {
    read,
    written: committed.eventsWritten,
    deadLettered,
    duplicates: inRunDuplicates + alreadyPresent,
    byTable: { [contract.table]: committed.eventsWritten, dead_letters: committed.deadLettersWritten, ...committed.windowRows },
    byReason: addTallies(byReason, nonZero(duplicateReasons)),
  };
}

function nonZero(tally: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(tally).filter(([, n]) => n > 0));
}
