import type { Contract, EventRecord } from "../schemas/contract";
import { renderEvent } from "./normalize";
import type { DeadLetter } from "./envelope";

/** Metadata columns every events row carries, after the event fields and the per-event features. */
export interface RowMeta {
  runId: string;
  ingestedAt: string;
}

/** The events-table row of a validated, normalized event: timestamps rendered as ISO-8601 UTC. */
export function eventRow(contract: Contract, event: EventRecord, features: Record<string, unknown>, source: string, meta: RowMeta): Record<string, unknown> {
  // Assigned in place rather than spread: this runs once per event and spreads were its main cost.
  const row = renderEvent(contract, event);
  for (const name in features) row[name] = features[name];
  row._source = source;
  row._run_id = meta.runId;
  row._ingested_at = meta.ingestedAt;
  return row;
}

export interface DeadLetterContext {
  schemaName: string;
  jobName: string;
  runId: string;
  now: string;
}

/** The dead-letter-table row: Google's Pub/Sub→BigQuery template columns plus where and why it failed. */
export function deadLetterRow(dead: DeadLetter, ctx: DeadLetterContext): Record<string, unknown> {
  const { envelope } = dead;
  return {
    timestamp: ctx.now,
    payloadString: envelope.payload,
    payloadBytes: envelope.payloadBase64 ?? null,
    attributes: envelope.attributes ? JSON.stringify(envelope.attributes) : null,
    errorMessage: dead.errorMessage,
    stacktrace: null,
    errorStage: dead.stage,
    errorClass: dead.errorClass,
    sourceUri: envelope.source.uri,
    sourceLine: envelope.source.line ?? null,
    messageId: envelope.source.messageId ?? null,
    attempt: envelope.attempt,
    schemaName: ctx.schemaName,
    jobName: ctx.jobName,
    runId: ctx.runId,
  };
}

/** `uri:line` (or `uri#messageId`): the events row's `_source`, pointing back at the input record. */
export function sourceRef(source: { uri: string; line?: number; messageId?: string }): string {
  if (source.messageId) return `${source.uri}#${source.messageId}`;
  return source.line === undefined ? source.uri : `${source.uri}:${source.line}`;
}
