import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Contract } from "../schemas/contract";
import { loadContract } from "../schemas/load";
import type { Warehouse } from "../io/ports";
import { InputError } from "../io/errors";
import { JsonLinesAppender, readJsonLines } from "../io/files/json-lines";
import { makeWorkDir } from "../io/local/work-dirs";
import { addCounts, emptyCounts, type ChunkCounts } from "../transforms/summary";
import { recordKey, replayChunks, settleDeadLetters, storedDeadLetter } from "../transforms/replay";
import type { ReplayChunk, ReplayResults, StoredDeadLetter } from "../transforms/replay";
import type { ReplaySummary } from "../transforms/replay-summary";
import { runChunk, type StagedOutcome } from "./chunk-run";
import { newRunId } from "./run-id";
import { inRun } from "./run-lifecycle";

export interface ReplayJobOptions {
  /** The run whose dead letters are replayed. */
  runId: string;
  /** Only dead letters of this reason: `errorClass`, or `errorStage/errorClass`. */
  reason?: string;
  /** Only dead letters dead-lettered at or after this instant (epoch ms). */
  sinceMs?: number;
  /** Where the (fixed) schema lives; the schema is the one the run's dead letters name. */
  schemasDir?: string;
  chunkBytes?: number;
  maxRecordBytes?: number;
  workDir?: string;
  now?: () => number;
}

const DEFAULT_CHUNK_BYTES = 8 << 20;
const DEFAULT_MAX_RECORD_BYTES = 1 << 20;

/**
 * `rox replay`: the live dead letters of a run, fed again through the same job (decode → validate → … → commit)
 * in chunks. What now lands is written once and its dead letter settled; what fails again stays a dead letter with its
 * new reason — both by updating the stored rows in the chunk's own transaction, so nothing is counted twice.
 */
export async function runReplayJob(options: ReplayJobOptions, warehouse: Warehouse): Promise<ReplaySummary> {
  const now = options.now ?? Date.now;
  const run = { replayId: newRunId(now(), "replay"), startedAt: new Date(now()).toISOString() };
  const workParent = options.workDir ?? os.tmpdir();
  const exportDir = makeWorkDir(workParent, `rox-${run.replayId}-export-`);
  try {
    const exported = path.join(exportDir, "dead-letters.jsonl");
    const selection = { runId: options.runId, reason: options.reason, sinceMs: options.sinceMs };
    const found = await warehouse.exportDeadLetters(selection, exported);
    const contract = loadContract(runSchema(options.runId, found.runSchemas), { dir: options.schemasDir });
    await warehouse.ensureTables(contract);
    return await replayChunksOf(exported, { ...options, ...run, contract, workParent, now }, warehouse);
  } finally {
    fs.rmSync(exportDir, { recursive: true, force: true });
  }
}

function runSchema(runId: string, schemas: string[]): string {
  if (schemas.length === 0) {
    const why = "a rerun's dead letters are kept once, under the run that first dead-lettered them";
    throw new InputError(`run ${runId} has no dead letters here (${why})`);
  }
  if (schemas.length > 1) {
    const which = schemas.join(", ");
    throw new InputError(`run ${runId} has dead letters of several schemas (${which}): which job would replay them?`);
  }
  return schemas[0];
}

interface ReplayRun extends ReplayJobOptions {
  replayId: string;
  startedAt: string;
  contract: Contract;
  workParent: string;
  now: () => number;
}

async function replayChunksOf(exported: string, run: ReplayRun, warehouse: Warehouse): Promise<ReplaySummary> {
  let counts = emptyCounts();
  const notReplayable: Record<string, number> = {};
  let updated = 0;
  const summaryWith = (more: ChunkCounts): ReplaySummary => ({
    job: "replay",
    runId: run.replayId,
    schema: run.contract.name,
    startedAt: run.startedAt,
    finishedAt: new Date(run.now()).toISOString(),
    ...addCounts(counts, more),
    replayOf: run.runId,
    deadLettersUpdated: updated,
    notReplayable,
  });
  return inRun(
    warehouse,
    () => summaryWith(emptyCounts()),
    run.workParent,
    async (workDir) => {
      const selected = readJsonLines(exported) as unknown as Iterable<StoredDeadLetter>;
      let index = 0;
      for (const chunk of replayChunks(selected, run.chunkBytes ?? DEFAULT_CHUNK_BYTES, notReplayable)) {
        const chunkDir = path.join(workDir, `chunk-${index++}`);
        counts = addCounts(counts, await replayChunk(chunk, chunkDir, run, warehouse, summaryWith));
        updated += chunk.rows.length;
      }
    },
  );
}

async function replayChunk(
  chunk: ReplayChunk,
  chunkDir: string,
  run: ReplayRun,
  warehouse: Warehouse,
  runSummary: (more: ChunkCounts) => ReplaySummary,
): Promise<ChunkCounts> {
  fs.mkdirSync(chunkDir, { recursive: true });
  const batch = writeLines(path.join(chunkDir, "replayed.jsonl"), chunk.records);
  const settle = (staged: StagedOutcome) => {
    const replay = { runId: run.replayId, at: new Date(run.now()).toISOString() };
    const settled = settleDeadLetters(chunk.rows, replayResults(staged), replay);
    return { path: writeLines(path.join(chunkDir, "settled.jsonl"), settled), rows: chunk.rows.length };
  };
  const spec = {
    contract: run.contract,
    schemasDir: run.schemasDir,
    jobName: "replay",
    runId: run.replayId,
    nowMs: run.now(),
    chunkDir,
    source: { kind: "dead-letters" as const, batch },
    replace: false,
    maxRecordBytes: run.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    settle,
  };
  return runChunk(spec, warehouse, runSummary);
}

/** Where each replayed record ended, by `recordKey`, from the chunk's staged files. */
function replayResults(staged: StagedOutcome): ReplayResults {
  const written = new Set<string>();
  for (const event of readJsonLines(staged.freshEvents)) written.add(String(event._source));
  const duplicates = new Set<string>();
  for (const event of readJsonLines(staged.events)) {
    if (!written.has(String(event._source))) duplicates.add(String(event._source));
  }
  for (const dup of readJsonLines(staged.duplicates)) duplicates.add(String(dup.source));
  const failed: ReplayResults["failed"] = new Map();
  for (const dead of readJsonLines(staged.deadLetters)) {
    const stored = storedDeadLetter(dead);
    const { errorStage, errorClass, errorMessage } = stored;
    failed.set(recordKey(stored), { errorStage, errorClass, errorMessage });
  }
  return { written, duplicates, failed };
}

function writeLines(file: string, rows: unknown[]): string {
  fs.writeFileSync(file, "");
  const out = new JsonLinesAppender(file);
  rows.forEach((row) => out.append(row));
  out.close();
  return file;
}
