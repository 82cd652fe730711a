/**
 * The streaming job's scoring step, between a micro-batch's prepare and its commit: the fresh events (what the commit
 * writes) are scored with the model version of this micro-batch, their window features read from the warehouse (in
 * the micro-batch's open transaction) and merged with the micro-batch's own window partials, and the predictions and
 * score dead letters staged for the same commit — events and their predictions land together or not at all.
 */
import * as fs from "fs";
import * as path from "path";
import type { Contract } from "../schemas/contract";
import type { FeatureSqlDialect } from "../io/feature-query";
import { JsonLinesAppender, readJsonLines } from "../io/files/json-lines";
import type { PreparedChunk, StagedPredictions } from "../io/ports";
import { queryWindowRows } from "../io/window-rows-query";
import { windowKeysOf, type WindowKey } from "../transforms/score/online-features";
import { scoreFreshEvents, windowRowsNow, type WindowState } from "../transforms/score/stream-scoring";
import type { Scorer } from "../transforms/score/scorer";
import { windowTableName } from "../schemas/tables";
import type { StagedPaths } from "./sinks";

/** A loaded model version. */
export interface StreamModel {
  name: string;
  version: number;
  scorer: Scorer;
}

/** Where the job gets its model: resolved again before each micro-batch, so an alias move is picked up at once. */
export interface ModelFeed {
  current(): Promise<StreamModel>;
  /** The warehouse's SQL dialect, for the window rows' query. */
  sql: FeatureSqlDialect;
}

/** One micro-batch's scoring: the model it uses and who is scoring. */
export interface ChunkScoring {
  model: StreamModel;
  sql: FeatureSqlDialect;
  jobName: string;
  runId: string;
  nowMs: number;
}

export interface StagedScores {
  staged: StagedPredictions;
  /** Score dead letters by `score/<errorClass>`. */
  byReason: Record<string, number>;
}

export async function stageScores(
  scoring: ChunkScoring,
  contract: Contract,
  freshEvents: string,
  paths: StagedPaths,
  prepared: Pick<PreparedChunk, "query">,
  dir: string,
): Promise<StagedScores> {
  const { model } = scoring;
  const events = [...readJsonLines(freshEvents)];
  const windows = await windowStates(scoring, contract, events, paths, prepared);
  const now = new Date(scoring.nowMs).toISOString();
  const rowOf = windowRowsNow(contract, windows, now);
  const ctx = { model: model.name, modelVersion: model.version, table: contract.table, schema: contract.name };
  const who = { ...ctx, jobName: scoring.jobName, runId: scoring.runId };
  const scored = scoreFreshEvents(contract, model.scorer, who, events, rowOf, now);
  const staged = { rows: path.join(dir, "predictions.jsonl"), deadLetters: path.join(dir, "score-dead-letters.jsonl") };
  writeLines(staged.rows, scored.predictions);
  writeLines(staged.deadLetters, scored.deadLetters);
  const byReason: Record<string, number> = {};
  for (const dead of scored.deadLetters) {
    const reason = `${String(dead.errorStage)}/${String(dead.errorClass)}`;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  }
  return { staged, byReason };
}

/** Per window the card uses: the stored rows the events need (one query per window table) and the partials. */
async function windowStates(
  scoring: ChunkScoring,
  contract: Contract,
  events: Record<string, unknown>[],
  paths: StagedPaths,
  prepared: Pick<PreparedChunk, "query">,
): Promise<WindowState[]> {
  const features = scoring.model.scorer.card.features;
  const keys = events.flatMap((event) => windowKeysOf(contract, features, event));
  const used = new Set(features.filter((f) => f.window !== undefined).map((f) => f.window!));
  const states: WindowState[] = [];
  for (const spec of (contract.features?.windows ?? []).filter((w) => used.has(w.name))) {
    const needed = keys.filter((k: WindowKey) => k.table === windowTableName(contract, spec));
    const query = (sql: string) => prepared.query(sql);
    const stored = needed.length > 0 ? await queryWindowRows(query, scoring.sql, needed) : new Map();
    states.push({ spec, stored, partials: partialsIn(paths.windowPartials(spec.name)) });
  }
  return states;
}

/** The micro-batch's partials of a window; a missing file is none, as in the warehouse's merge. */
function partialsIn(file: string): Record<string, unknown>[] {
  return fs.existsSync(file) ? [...readJsonLines(file)] : [];
}

function writeLines(file: string, rows: Record<string, unknown>[]): void {
  fs.writeFileSync(file, "");
  const out = new JsonLinesAppender(file);
  rows.forEach((row) => out.append(row));
  out.close();
}
