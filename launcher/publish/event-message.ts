import type { OutgoingMessage } from "../../io/pubsub/requests";

/** A line to publish, with the event time used to shuffle it (absent when the line has none, e.g. malformed JSON). */
export interface EventMessage {
  message: OutgoingMessage;
  eventTimeMs?: number;
}

/** Pub/Sub rejects a whole publish request over an attribute value longer than 1,024 bytes. */
const MAX_ATTRIBUTE_BYTES = 1024;

/**
 * The line as is (base64 on the wire) with `event_id` and `event_time` (the event's `date`) as attributes. A line
 * that is not a JSON object, or lacks the fields, is still published, without them: the consumer must dead-letter it.
 */
export function toEventMessage(line: Buffer): EventMessage {
  const event = parseObject(line);
  const attributes: Record<string, string> = {};
  setAttribute(attributes, "event_id", event?.event_id);
  setAttribute(attributes, "event_time", event?.date);
  const eventTimeMs = typeof event?.date === "string" ? Date.parse(event.date) : NaN;
  return { message: { data: line.toString("base64"), attributes }, eventTimeMs: Number.isFinite(eventTimeMs) ? eventTimeMs : undefined };
}

function parseObject(line: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line.toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function setAttribute(attributes: Record<string, string>, key: string, value: unknown): void {
  if (typeof value !== "string" && typeof value !== "number") return;
  const text = String(value);
  if (text !== "" && Buffer.byteLength(text) <= MAX_ATTRIBUTE_BYTES) attributes[key] = text;
}
