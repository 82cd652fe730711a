import { requireForSerialization } from "apache-beam/serialization";
import { Reader } from "protobufjs";
import type { Decoded, Outcome } from "../../transforms/envelope";
import { decodeMessage, type MessageLimits, type MessageRecord } from "../../transforms/decode/message";

/**
 * A `google.pubsub.v1.PubsubMessage` as Java's Pub/Sub read emits it with attributes (proto bytes) → the staged-message
 * shape the shared decoder takes. Decoded by hand: the SDK's own reader decodes with `@google-cloud/pubsub`, which the
 * pipelines may not load. Dataflow does not count deliveries: every message is attempt 1.
 */
export function toMessageRecord(bytes: Uint8Array): MessageRecord {
  const reader = Reader.create(bytes);
  const record: MessageRecord = { messageId: "", data: "", attributes: {}, publishTime: "", deliveryAttempt: 1 };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1) record.data = Buffer.from(reader.bytes()).toString("base64");
    else if (field === 2) readAttribute(Reader.create(reader.bytes()), record.attributes);
    else if (field === 3) record.messageId = reader.string();
    else if (field === 4) record.publishTime = readTimestamp(Reader.create(reader.bytes()));
    else reader.skipType(tag & 7);
  }
  return record;
}

/** Proto bytes of one message → a decoded record or a dead letter, by the same decoder as the local stream job. */
export function decodePubsubMessage(
  bytes: Uint8Array,
  ctx: { subscription: string } & MessageLimits,
): Outcome<Decoded> {
  return decodeMessage(toMessageRecord(bytes), ctx.subscription, ctx);
}

function readAttribute(entry: Reader, into: Record<string, string>): void {
  let key = "";
  let value = "";
  while (entry.pos < entry.len) {
    const tag = entry.uint32();
    if (tag >>> 3 === 1) key = entry.string();
    else if (tag >>> 3 === 2) value = entry.string();
    else entry.skipType(tag & 7);
  }
  // A define, not an assignment: an attribute named "__proto__" is data, not the object's prototype.
  Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
}

function readTimestamp(timestamp: Reader): string {
  let seconds = 0;
  let nanos = 0;
  while (timestamp.pos < timestamp.len) {
    const tag = timestamp.uint32();
    if (tag >>> 3 === 1) seconds = Number(timestamp.int64());
    else if (tag >>> 3 === 2) nanos = timestamp.int32();
    else timestamp.skipType(tag & 7);
  }
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString();
}

requireForSerialization("rox-gcp/pipelines/dataflow/pubsub-message", { decodePubsubMessage });
