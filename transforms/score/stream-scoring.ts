/**
 * Scoring in the stream, pure: a micro-batch's fresh events (the rows the events table gets, times as epoch ms) →
 * their predictions and score dead letters, with the same features as batch scoring and the server — the event's own
 * columns and, per window feature, its key's window that ended at the event time floored to the window size, as the
 * window table holds it once this micro-batch is merged (the stored row plus the micro-batch's own partials).
 */
import type { Contract, WindowFeatureSpec } from "../../schemas/contract";
import { mergeWindowRows, windowTableName } from "../window-rows";
import { onlineFeatureRow, windowKeyId, type WindowKey, type WindowRowOf } from "./online-features";
import { scoredRow, type PredictionContext } from "./prediction-row";
import type { Scorer } from "./scorer";
import type { CardFeature } from "./model-card";

/** One window table's rows as this micro-batch knows them: stored (by window end ms, then key) and its partials. */
export interface WindowState {
  spec: WindowFeatureSpec;
  stored: Map<number, Map<string, Record<string, unknown>>>;
  partials: Record<string, unknown>[];
}

/** Where a window key's row is looked up: the merged row when the micro-batch touched its window, else the stored. */
export function windowRowsNow(contract: Contract, windows: readonly WindowState[], updatedAt: string): WindowRowOf {
  const merged = new Map<string, Record<string, unknown>>();
  for (const { spec, stored, partials } of windows) {
    const sizeMs = spec.sizeSeconds * 1000;
    const storedRows = [...stored].flatMap(([end, rows]) =>
      [...rows.values()].map((r) => ({ ...r, start_ms: end - sizeMs })),
    );
    for (const row of mergeWindowRows(contract, spec, partials, storedRows, updatedAt)) {
      const key = row[spec.key];
      const id = { table: windowTableName(contract, spec), keyColumn: spec.key, key: key as string | number };
      merged.set(windowKeyId({ ...id, windowEndMs: Date.parse(String(row.window_end)) }), row);
    }
  }
  const storedOf = (k: WindowKey) =>
    windows
      .find((w) => windowTableName(contract, w.spec) === k.table)
      ?.stored.get(k.windowEndMs)
      ?.get(String(k.key));
  return (k) => merged.get(windowKeyId(k)) ?? storedOf(k) ?? null;
}

export interface ScoredEvents {
  predictions: Record<string, unknown>[];
  deadLetters: Record<string, unknown>[];
}

/** Every fresh event → exactly one prediction row or one score dead letter (standing for no record: it was written). */
export function scoreFreshEvents(
  contract: Contract,
  scorer: Scorer,
  ctx: PredictionContext,
  events: readonly Record<string, unknown>[],
  rowOf: WindowRowOf,
  now: string,
): ScoredEvents {
  const out: ScoredEvents = { predictions: [], deadLetters: [] };
  for (const event of events) {
    const row = streamFeatureRow(contract, scorer.card.features, event, rowOf);
    const scored = scoredRow(() => scorer, row, ctx, now, 0);
    if ("predictions" in scored) out.predictions.push(scored.predictions);
    else out.deadLetters.push(scored.dead);
  }
  return out;
}

/** A fresh event (the events table's columns, times as epoch ms) → its scoring row: id, event time and features. */
export function streamFeatureRow(
  contract: Contract,
  features: readonly CardFeature[],
  event: Record<string, unknown>,
  rowOf: WindowRowOf,
): Record<string, unknown> {
  const eventTime = new Date(Number(event[contract.eventTimeField])).toISOString();
  return {
    event_id: event[contract.idField],
    event_time: eventTime,
    ...onlineFeatureRow(contract, features, event, event, rowOf),
  };
}
