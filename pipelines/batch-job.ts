import * as fs from "fs";
import * as path from "path";
import type { Contract } from "../schemas/contract";
import { loadContract } from "../schemas/load";
import { checkFeatureModule } from "../transforms/features";
import { formatOf, planSplits, type FileFormat, type FileSplit } from "../io/files/splits";
import type { GcsFileSourceOptions } from "../io/gcp/gcs/gcs-file-source";
import { resolveInputFiles, type InputFile } from "./batch-input";
import type { Warehouse } from "../io/ports";
import { addCounts, emptyCounts, skippedFiles } from "../transforms/summary";
import type { ChunkCounts, JobSummary, SkippedFiles } from "../transforms/summary";
import { groupIntoChunks } from "./chunks";
import { runChunk } from "./chunk-run";
import { beginRun, endRun } from "./run-lifecycle";
import { newRunId } from "./run-id";

export interface BatchJobOptions {
  /** A local file, folder or glob, or `gs://bucket/prefix/glob`. */
  input: string;
  /** How to reach Cloud Storage for a `gs://` input (an emulator's endpoint; else Application Default Credentials). */
  storage?: GcsFileSourceOptions;
  schema: string;
  schemasDir?: string;
  format?: FileFormat;
  replace?: boolean;
  /** Input bytes per pipeline run; bounds the memory of the in-run grouping (dedupe). */
  chunkBytes?: number;
  maxRecordBytes?: number;
  /** CSV: quoted fields may hold newlines, within maxRecordBytes (default: a newline ends every record). */
  csvQuotedNewlines?: boolean;
  workDir?: string;
  onProgress?: (progress: { read: number; elapsedMs: number; chunk: number; chunks: number }) => void;
  now?: () => number;
}

const DEFAULT_CHUNK_BYTES = 2 << 20;
const DEFAULT_MAX_RECORD_BYTES = 1 << 20;

/** Runs the batch job chunk by chunk on the DirectRunner and loads each chunk into the warehouse. */
export async function runBatchJob(options: BatchJobOptions, warehouse: Warehouse): Promise<JobSummary> {
  const now = options.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const runId = newRunId(now(), "batch");
  const contract = loadContract(options.schema, { dir: options.schemasDir });
  checkFeatureModule(contract);
  const chunkBytes = options.chunkBytes ?? warehouse.defaultChunkBytes ?? DEFAULT_CHUNK_BYTES;
  let counts = emptyCounts();
  let skipped: SkippedFiles | undefined;
  const summaryWith = (more: ChunkCounts): JobSummary => ({
    job: "batch",
    runId,
    schema: contract.name,
    startedAt,
    finishedAt: new Date(now()).toISOString(),
    ...addCounts(counts, more),
  });
  await warehouse.ensureTables(contract);
  const workDir = await beginRun(warehouse, summaryWith(emptyCounts()), options.workDir);
  try {
    const input = await resolveInputFiles(options.input, path.join(workDir, "input"), options.storage);
    skipped = skippedFiles(input.skipped);
    const chunks = groupIntoChunks(planInput(input.files, options, chunkBytes), chunkBytes);
    for (const [index, chunk] of chunks.entries()) {
      const chunkRun = {
        options,
        contract,
        runId,
        nowMs: now(),
        chunkDir: path.join(workDir, `chunk-${index}`),
        splits: chunk,
      };
      counts = addCounts(counts, await runFileChunk(chunkRun, warehouse, summaryWith));
      options.onProgress?.({
        read: counts.read,
        elapsedMs: now() - Date.parse(startedAt),
        chunk: index + 1,
        chunks: chunks.length,
      });
    }
  } catch (err) {
    await endRun(warehouse, summaryWith(emptyCounts()), "failed");
    throw err;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const summary = summaryWith(emptyCounts());
  await endRun(warehouse, summary, "finished");
  // What was skipped goes in the summary (its file and table), not in job_runs, whose columns are the counts.
  return { ...summary, ...(skipped && { skipped }) };
}

/** Splits no larger than a chunk, so a big file is cut across chunks instead of filling one; each names its file's URI. */
function planInput(files: InputFile[], options: BatchJobOptions, chunkBytes: number): FileSplit[] {
  const plan = {
    targetBytes: chunkBytes,
    maxRecordBytes: options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    csvQuotedNewlines: options.csvQuotedNewlines,
    cutRowGroups: true,
  };
  return files.flatMap((file) =>
    planSplits(file.path, formatOf(file.path, options.format), plan).map((split) => ({ ...split, uri: file.uri })),
  );
}

interface FileChunk {
  options: BatchJobOptions;
  contract: Contract;
  runId: string;
  nowMs: number;
  chunkDir: string;
  splits: FileSplit[];
}

async function runFileChunk(
  chunk: FileChunk,
  warehouse: Warehouse,
  runSummary: (more: ChunkCounts) => JobSummary,
): Promise<ChunkCounts> {
  fs.mkdirSync(chunk.chunkDir, { recursive: true });
  const manifest = path.join(chunk.chunkDir, "manifest.json");
  fs.writeFileSync(manifest, JSON.stringify(chunk.splits));
  const { options, contract, runId, nowMs, chunkDir } = chunk;
  const spec = {
    contract,
    schemasDir: options.schemasDir,
    jobName: "batch",
    runId,
    nowMs,
    chunkDir,
    source: { kind: "files" as const, manifest },
    replace: options.replace ?? false,
    maxRecordBytes: options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
  };
  return runChunk(spec, warehouse, runSummary);
}
