/**
 * Data quality of a day, beside drift: the share of the records read that were dead-lettered, per reason, and the
 * day's volume against the trailing days'. (Missing rates per feature are in drift.ts, next to each feature's drift.)
 */
import { metricRow, type MetricRow } from "./metric-row";
import type { MonitorThresholds } from "./thresholds";

export interface ReasonCount {
  /** `stage/class`, as the job summaries name reasons (`validate/constraint.max`). */
  reason: string;
  records: number;
}

/** One row per reason: its dead-lettered records over the records read. None when nothing was read. */
export function deadLetterRates(byReason: readonly ReasonCount[], read: number, t: MonitorThresholds): MetricRow[] {
  if (!(read > 0)) return [];
  const limits = { threshold: t.deadLetterRate, errorThreshold: Math.min(1, t.deadLetterRate * t.errorFactor) };
  return [...byReason]
    .sort((a, b) => a.reason.localeCompare(b.reason))
    .map((r) => metricRow(r.reason, "quality.dead_letter_rate", r.records / read, limits, read));
}

/**
 * |rows / mean of the trailing days' rows − 1|: 0 for a usual day, 1 for an empty one. None without trailing days
 * (nothing to compare with) or when they hold no rows.
 */
export function volumeChange(rows: number, trailing: readonly number[], t: MonitorThresholds): MetricRow[] {
  const mean = trailing.reduce((s, n) => s + n, 0) / trailing.length;
  if (!(mean > 0)) return [];
  const limits = { threshold: t.volumeChange, errorThreshold: t.volumeChange * t.errorFactor };
  return [metricRow(null, "quality.volume_change", Math.abs(rows / mean - 1), limits, rows)];
}

/** A `job_runs` row as monitoring reads it: the records the run read, and its dead letters by reason. */
export interface RunCounts {
  read: number;
  byReason: Readonly<Record<string, number>>;
}

/** A stored `job_runs` row (`read`, and `byReason` as the JSON text both warehouses keep) as `RunCounts`. */
export function storedRunCounts(row: Record<string, unknown>): RunCounts {
  return { read: Number(row.read), byReason: JSON.parse(String(row.byReason ?? "{}")) as Record<string, number> };
}

/**
 * The runs that wrote a scope's events, added up: the records they read, and their dead letters by reason (duplicates
 * are not dead letters), in the order the reasons first appear.
 */
export function runTotals(runs: readonly RunCounts[]): { read: number; deadLetters: ReasonCount[] } {
  const byReason = new Map<string, number>();
  for (const run of runs) {
    for (const [reason, n] of Object.entries(run.byReason)) {
      if (!reason.startsWith("duplicate/")) byReason.set(reason, (byReason.get(reason) ?? 0) + n);
    }
  }
  const read = runs.reduce((s, r) => s + r.read, 0);
  return { read, deadLetters: [...byReason].map(([reason, records]) => ({ reason, records })) };
}
