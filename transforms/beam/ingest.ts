import { requireForSerialization } from "apache-beam/serialization";
import type { Counter } from "./sdk";
import { clockNow, type RunClockMs } from "./clock";
import { loadContract } from "../../schemas/load";
import type { Contract, EventRecord } from "../../schemas/contract";
import {
  recordsCounted,
  type Decoded,
  type DeadLetter,
  type Envelope,
  type Outcome,
  type RecordSource,
} from "../envelope";
import { validateRecord } from "../validate";
import { normalizeEvent, renderEvent } from "../normalize";
import { featureModule } from "../features";
import { deadLetterRow, eventRow, sourceRef } from "../rows";
import { findIllFormedText } from "../text";

/** What the ingest DoFns need, passed through Beam's context argument (never a closure). */
export interface IngestContext {
  schema: string;
  schemasDir?: string;
  jobName: string;
  runId: string;
  /** The run's clock: fixed epoch ms (the same on every worker; the local jobs) or `"live"` (Dataflow), see clock.ts. */
  nowMs: RunClockMs;
}

export interface KeyedEvent {
  key: string;
  value: { event: EventRecord; source: RecordSource };
}

export type Validated = { ok: KeyedEvent } | { dead: Record<string, unknown> };
export type Deduped =
  | { events: Record<string, unknown> }
  | { unique: EventRecord }
  | { duplicates: Record<string, unknown> }
  | { dead: Record<string, unknown> };

/** Beam hands a DoFn the same context object for every element: resolve the contract once per context. */
const contracts = new WeakMap<object, Contract>();

function contractOf(ctx: IngestContext): Contract {
  let contract = contracts.get(ctx);
  if (!contract) contracts.set(ctx, (contract = loadContract(ctx.schema, { dir: ctx.schemasDir })));
  return contract;
}

function toDeadRow(dead: DeadLetter, ctx: IngestContext, nowMs: number): Record<string, unknown> {
  const now = new Date(nowMs).toISOString();
  return deadLetterRow(dead, { schemaName: ctx.schema, jobName: ctx.jobName, runId: ctx.runId, now });
}

/**
 * Counts every record read — a dead letter standing for a corrupt block counts the records it declares — then decode →
 * validate → normalize; bad records become dead-letter rows.
 */
export function validateDecoded(decoded: Outcome<Decoded>, ctx: IngestContext & { read: Counter }): Validated {
  ctx.read.increment(decoded.ok ? 1 : recordsCounted(decoded.dead));
  const nowMs = clockNow(ctx.nowMs);
  if (!decoded.ok) return { dead: toDeadRow(decoded.dead, ctx, nowMs) };
  const contract = contractOf(ctx);
  const valid = validateRecord(contract, decoded.value, nowMs);
  if (!valid.ok) return { dead: toDeadRow(valid.dead, ctx, nowMs) };
  const event = normalizeEvent(contract, valid.value);
  return { ok: { key: String(event[contract.idField]), value: { event, source: decoded.value.envelope.source } } };
}

function compareSources(a: RecordSource, b: RecordSource): number {
  if (a.uri !== b.uri) return a.uri < b.uri ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || String(a.messageId ?? "").localeCompare(String(b.messageId ?? ""));
}

/** After grouping by id: the earliest record wins and goes on to features; the rest are counted duplicates. */
export function* keepFirstOfId(
  group: { key: string; value: Iterable<KeyedEvent["value"]> },
  ctx: IngestContext,
): Generator<Deduped> {
  const members = [...group.value].sort((a, b) => compareSources(a.source, b.source));
  const [first, ...rest] = members;
  for (const dup of rest)
    yield { duplicates: { id: group.key, source: sourceRef(dup.source), duplicateOf: sourceRef(first.source) } };
  const row = withFeatures(first, ctx, clockNow(ctx.nowMs));
  yield row;
  // The normalized event also feeds the chunk's window aggregates (when none of the chunk was loaded before).
  if ("events" in row) yield { unique: first.event };
}

/** A feature module that throws, or computes text that is not valid Unicode, makes a feature_error dead letter. */
function withFeatures(item: KeyedEvent["value"], ctx: IngestContext, nowMs: number): Deduped {
  const contract = contractOf(ctx);
  let failed: string;
  try {
    const features = featureModule(contract.features?.module).eventFeatures(item.event);
    const illFormed = findIllFormedText(features);
    if (illFormed === undefined) {
      const meta = { runId: ctx.runId, ingestedAt: new Date(nowMs).toISOString() };
      return { events: eventRow(contract, item.event, features, sourceRef(item.source), meta) };
    }
    failed = `feature ${illFormed} is not valid Unicode (a lone surrogate)`;
  } catch (err) {
    failed = String(err);
  }
  // The event as it would be written: JSON that validates to the same event again, so a replay can retry it.
  const envelope: Envelope = {
    payload: JSON.stringify(renderEvent(contract, item.event)),
    source: item.source,
    attempt: 1,
  };
  return {
    dead: toDeadRow({ stage: "features", errorClass: "feature_error", errorMessage: failed, envelope }, ctx, nowMs),
  };
}

requireForSerialization("rox-gcp/transforms/beam/ingest", { validateDecoded, keepFirstOfId });
