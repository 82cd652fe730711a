import type { OutgoingMessage } from "../../io/pubsub/requests";

/** A line to publish, with the event time used to shuffle it (absent when the line has none, e.g. malformed JSON). */
export interface EventMessage {
  message: OutgoingMessage;
  eventTimeMs?: number;
}

/** Pub/Sub rejects a whole publish request over an attribute value longer than 1,024 bytes. */
const MAX_ATTRIBUTE_BYTES = 1024;

/**
 * The line as is (base64 on the wire) with `event_id` and `event_time` as attributes. `event_time` is the event's
 * `date` as RFC 3339 UTC, and only when it parses: Dataflow's Pub/Sub read stamps event time from this attribute and
 * fails the bundle — it cannot dead-letter — on one it cannot read. A line that is not a JSON object, or lacks the
 * fields, is still published, without them: the consumer must dead-letter it from its payload.
 */
export function toEventMessage(line: Buffer): EventMessage {
  const event = parseObject(line);
  const attributes: Record<string, string> = {};
  setAttribute(attributes, "event_id", event?.event_id);
  const eventTimeMs = eventTimeOf(event?.date);
  if (eventTimeMs !== undefined) attributes.event_time = new Date(eventTimeMs).toISOString();
  return { message: { data: line.toString("base64"), attributes }, eventTimeMs };
}

/** The contract's `date`: ISO-8601 text or epoch milliseconds. */
function eventTimeOf(date: unknown): number | undefined {
  const ms = typeof date === "string" ? Date.parse(date) : typeof date === "number" ? date : NaN;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
}

function parseObject(line: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line.toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function setAttribute(attributes: Record<string, string>, key: string, value: unknown): void {
  if (typeof value !== "string" && typeof value !== "number") return;
  const text = String(value);
  if (text !== "" && Buffer.byteLength(text) <= MAX_ATTRIBUTE_BYTES) attributes[key] = text;
}
