import type { Contract, EventRecord, FieldSpec } from "../schemas/contract";
import type { DeadLetter } from "./envelope";

/** Metadata columns every events row carries, after the event fields and the per-event features. */
export interface RowMeta {
  runId: string;
  ingestedAt: string;
}

/** The events-table row of a validated, normalized event: timestamps rendered as ISO-8601 UTC. */
export function eventRow(contract: Contract, event: EventRecord, features: Record<string, unknown>, source: string, meta: RowMeta): Record<string, unknown> {
  return {
    ...renderFields(contract.fields, event),
    ...features,
    _source: source,
    _run_id: meta.runId,
    _ingested_at: meta.ingestedAt,
  };
}

function renderFields(fields: FieldSpec[], record: EventRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field.name] = renderValue(field, record[field.name]);
  return out;
}

function renderValue(field: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.kind === "timestamp") return new Date(value as number).toISOString();
  if (field.kind === "date") return typeof value === "number" ? new Date(value).toISOString().slice(0, 10) : value;
  if (field.kind === "record" && field.fields) return renderFields(field.fields, value as EventRecord);
  if (field.kind === "array" && field.items) return (value as unknown[]).map((item) => renderValue(field.items as FieldSpec, item));
  return value;
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
