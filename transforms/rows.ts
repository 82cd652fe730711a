import type { Contract, EventRecord } from "../schemas/contract";
import { renderEvent } from "./normalize";
import type { DeadLetter } from "./envelope";
import { wellFormedText } from "./text";

/** Metadata columns every events row carries, after the event fields and the per-event features. */
export interface RowMeta {
  runId: string;
  ingestedAt: string;
}

/** The events-table row of a validated, normalized event: timestamps rendered as ISO-8601 UTC. */
export function eventRow(
  contract: Contract,
  event: EventRecord,
  features: Record<string, unknown>,
  source: string,
  meta: RowMeta,
): Record<string, unknown> {
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

/**
 * The dead-letter-table row: Google's Pub/Sub→BigQuery template columns plus where and why it failed. Its text is made
 * well formed (a lone surrogate becomes U+FFFD): messages quote input and exceptions, and a dead letter must always be
 * writable — the raw bytes, when the text is not them, are in `payloadBytes`.
 */
export function deadLetterRow(dead: DeadLetter, ctx: DeadLetterContext): Record<string, unknown> {
  const { envelope } = dead;
  return {
    timestamp: ctx.now,
    payloadString: wellFormedText(envelope.payload),
    payloadBytes: envelope.payloadBase64 ?? null,
    attributes: envelope.attributes ? JSON.stringify(wellFormedValues(envelope.attributes)) : null,
    errorMessage: wellFormedText(dead.errorMessage),
    stacktrace: null,
    errorStage: dead.stage,
    errorClass: dead.errorClass,
    sourceUri: wellFormedText(envelope.source.uri),
    sourceLine: envelope.source.line ?? null,
    messageId: envelope.source.messageId === undefined ? null : wellFormedText(envelope.source.messageId),
    attempt: envelope.attempt,
    records: dead.records === undefined ? 1 : dead.records,
    schemaName: ctx.schemaName,
    jobName: ctx.jobName,
    runId: ctx.runId,
  };
}

function wellFormedValues(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [wellFormedText(key), wellFormedText(String(value))]),
  );
}

/** `uri:line` (or `uri#messageId`): the events row's `_source`, pointing back at the input record. */
export function sourceRef(source: { uri: string; line?: number; messageId?: string }): string {
  if (source.messageId) return `${source.uri}#${source.messageId}`;
  return source.line === undefined ? source.uri : `${source.uri}:${source.line}`;
}
