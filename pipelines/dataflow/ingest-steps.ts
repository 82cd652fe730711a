import { requireForSerialization } from "apache-beam/serialization";
import { clockNow, type RunClockMs } from "../../transforms/beam/clock";
import type { Counter } from "../../transforms/beam/sdk";
import type { KeyedEvent } from "../../transforms/beam/ingest";
import type { Envelope } from "../../transforms/envelope";
import { deadLetterRow } from "../../transforms/rows";
import type { FailedRow } from "./bigquery-write";

/** Who a dead letter of a failed write belongs to. */
export interface FailedWriteContext {
  table: string;
  schemaName: string;
  jobName: string;
  runId: string;
  /** The run's clock (`"live"` on Dataflow), as the other dead letters take it. */
  nowMs: RunClockMs;
}

/** The graph's own counters, read back from the job's metrics for its `job_runs` row (stream-run-summary.ts). */
export const EVENTS_SENT_COUNTER = "events_sent_to_write";
export const EVENTS_REFUSED_COUNTER = "events_refused_by_write";
export const DEAD_LETTERS_COUNTER = "dead_letters_sent_to_write";

/** Counts a row on its way to a write, unchanged. */
export function countRow<T>(row: T, ctx: { counter: Counter }): T {
  ctx.counter.increment(1);
  return row;
}

/**
 * A validated event as a group of one, for the shared `keepFirstOfId` where the stream needs no grouping: Pub/Sub's
 * id attribute already drops re-sent ids, and a GroupByKey over the unbounded stream would need windows and triggers.
 */
export function asGroupOfOne(item: KeyedEvent): { key: string; value: KeyedEvent["value"][] } {
  return { key: item.key, value: [item.value] };
}

/** A row BigQuery refused → a dead-letter row of stage `write`, pointing back at the record it came from. */
export function failedRowToDeadLetter(failed: FailedRow, ctx: FailedWriteContext): Record<string, unknown> {
  const row = failed.failed_row;
  const uri = typeof row._source === "string" ? row._source : ctx.table;
  const envelope: Envelope = { payload: JSON.stringify(row), source: { uri }, attempt: 1 };
  const dead = { stage: "write" as const, errorClass: "bigquery_write", errorMessage: failed.error_message, envelope };
  return deadLetterRow(dead, {
    schemaName: ctx.schemaName,
    jobName: ctx.jobName,
    runId: ctx.runId,
    now: new Date(clockNow(ctx.nowMs)).toISOString(),
  });
}

requireForSerialization("rox-gcp/pipelines/dataflow/ingest-steps", { asGroupOfOne, countRow, failedRowToDeadLetter });
