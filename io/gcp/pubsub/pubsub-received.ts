import type { protos } from "@google-cloud/pubsub";
import type { PulledMessage } from "../../ports";

type ReceivedMessage = protos.google.pubsub.v1.IReceivedMessage;
type Timestamp = protos.google.protobuf.ITimestamp;

/** A received message in the shape the REST API gives it; `deliveryAttempt` is undefined when Pub/Sub did not count. */
export function receivedToPulled(
  received: ReceivedMessage,
): Omit<PulledMessage, "deliveryAttempt"> & { deliveryAttempt?: number } {
  const message = received.message ?? {};
  return {
    ackId: received.ackId ?? "",
    messageId: message.messageId ?? "",
    data: base64Of(message.data),
    attributes: { ...(message.attributes ?? {}) },
    publishTime: timestampToRfc3339(message.publishTime ?? {}),
    // proto3 has no "absent" for numbers: 0 means no dead-letter policy, so no count.
    deliveryAttempt: received.deliveryAttempt ? received.deliveryAttempt : undefined,
  };
}

function base64Of(data: Uint8Array | string | null | undefined): string {
  if (data === null || data === undefined) return "";
  return typeof data === "string"
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

/**
 * A protobuf Timestamp as the REST API writes it (protobuf's JSON mapping): UTC, `Z`, and 0, 3, 6 or 9 fraction
 * digits — so both sources give the same string for the same message.
 */
export function timestampToRfc3339(timestamp: Timestamp): string {
  const seconds = Number(String(timestamp.seconds ?? 0));
  const nanos = timestamp.nanos ?? 0;
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${whole}${fraction(nanos)}Z`;
}

function fraction(nanos: number): string {
  if (nanos === 0) return "";
  const digits = String(nanos).padStart(9, "0");
  if (nanos % 1_000_000 === 0) return `.${digits.slice(0, 3)}`;
  if (nanos % 1_000 === 0) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}
