import { failure, type Decoded, type Envelope, type Outcome } from "../envelope";
import { decodeJsonRecord } from "./json-record";
import { decodeUtf8Lossy, decodeUtf8Strict, isBlank } from "./utf8";
import { utf8Prefix } from "../text";

/** A Pub/Sub message as the streaming job stages it for a micro-batch (the wire format, base64 data). */
export interface MessageRecord {
  messageId: string;
  data: string;
  attributes: Record<string, string>;
  publishTime: string;
  deliveryAttempt: number;
  /**
   * Set by the streaming job when this message, alone, made its micro-batch fail (the pipeline run or the warehouse
   * commit): the failure's message. The message then lands as a dead letter instead of being processed again.
   */
  failedAlone?: string;
}

const PREVIEW_BYTES = 64 << 10;

/** A message's JSON payload → fields; every message becomes a value or a dead letter (an empty one too). */
export interface MessageLimits {
  maxRecordBytes: number;
  /** A message delivered more often than this kept failing its micro-batch: it is dead-lettered, not retried again. */
  maxDeliveryAttempts: number;
}

export function decodeMessage(message: MessageRecord, subscription: string, limits: MessageLimits): Outcome<Decoded> {
  const { maxRecordBytes, maxDeliveryAttempts } = limits;
  const bytes = Buffer.from(message.data, "base64");
  const envelope: Envelope = {
    payload: "",
    source: { uri: subscription, messageId: message.messageId },
    attributes: message.attributes,
    attempt: message.deliveryAttempt,
  };
  if (message.failedAlone !== undefined) {
    const raw = {
      ...envelope,
      payload: decodeUtf8Lossy(bytes.subarray(0, PREVIEW_BYTES)),
      payloadBase64: message.data,
    };
    return failure(
      "write",
      "isolated_failure",
      `message ${message.messageId} failed its micro-batch on its own: ${message.failedAlone}`,
      raw,
    );
  }
  if (message.deliveryAttempt > maxDeliveryAttempts) {
    const raw = {
      ...envelope,
      payload: decodeUtf8Lossy(utf8Prefix(bytes, PREVIEW_BYTES)),
      payloadBase64: message.data,
    };
    return failure(
      "read",
      "delivery_attempts_exhausted",
      `message ${message.messageId} failed ${message.deliveryAttempt - 1} deliveries (limit ${maxDeliveryAttempts})`,
      raw,
    );
  }
  if (bytes.length > maxRecordBytes) {
    const preview = { ...envelope, payload: decodeUtf8Lossy(utf8Prefix(bytes, PREVIEW_BYTES)) };
    return failure(
      "decode",
      "record_too_large",
      `message ${message.messageId} is ${bytes.length} bytes, over the ${maxRecordBytes}-byte limit`,
      preview,
    );
  }
  const text = decodeUtf8Strict(bytes);
  if (text === undefined) {
    const raw = { ...envelope, payload: decodeUtf8Lossy(bytes), payloadBase64: message.data };
    return failure("decode", "invalid_utf8", `message ${message.messageId} is not valid UTF-8`, raw);
  }
  if (isBlank(bytes))
    return failure("decode", "empty_message", `message ${message.messageId} has no payload`, {
      ...envelope,
      payload: text,
    });
  return decodeJsonRecord({ text, envelope: { ...envelope, payload: text } });
}
