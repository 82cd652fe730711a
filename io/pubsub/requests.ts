import { CLIENT_GRACE_SECONDS } from "./long-poll";

/**
 * The exact Pub/Sub REST/JSON requests, built without sending anything (the client sends them). The emulator serves
 * the same `v1` REST surface as Pub/Sub, on plain HTTP.
 */
export interface RestRequest {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** After `/v1/`. */
  path: string;
  body?: unknown;
  /** Extra HTTP headers (the emulator forwards them to its gRPC service as metadata). */
  headers?: Record<string, string>;
  /** How long the client waits for the answer before giving up (default: the client's own timeout). */
  timeoutMs?: number;
}

/** A message to publish: `data` is base64, as on the wire. */
export interface OutgoingMessage {
  data: string;
  attributes?: Record<string, string>;
}

export interface SubscriptionOptions {
  /** 10..600 s. */
  ackDeadlineSeconds: number;
  /** The emulator enforces Pub/Sub's rules: the dead-letter topic must exist and maxDeliveryAttempts is 5..100. */
  deadLetterPolicy?: { deadLetterTopic: string; maxDeliveryAttempts: number };
  retainAckedMessages?: boolean;
}

/** Pub/Sub's limits per publish request: 1,000 messages and 10 MB; we stay under 9 MB for the JSON overhead. */
export const MAX_PUBLISH_MESSAGES = 1000;
const MAX_PUBLISH_BYTES = 9 * 1024 * 1024;
/** Ack ids per acknowledge/modifyAckDeadline request, well under the 512 KB request limit with real ack ids. */
export const MAX_ACK_IDS = 1000;

/** `events` → `projects/<p>/topics/events`; a full name is kept as is. */
export function topicName(project: string, topic: string): string {
  return topic.startsWith("projects/") ? topic : `projects/${project}/topics/${topic}`;
}

export function subscriptionName(project: string, subscription: string): string {
  return subscription.startsWith("projects/") ? subscription : `projects/${project}/subscriptions/${subscription}`;
}

export function createTopicRequest(project: string, topic: string): RestRequest {
  return { method: "PUT", path: topicName(project, topic), body: {} };
}

export function deleteTopicRequest(project: string, topic: string): RestRequest {
  return { method: "DELETE", path: topicName(project, topic) };
}

export function listTopicSubscriptionsRequest(project: string, topic: string): RestRequest {
  return { method: "GET", path: `${topicName(project, topic)}/subscriptions` };
}

export function createSubscriptionRequest(project: string, subscription: string, topic: string, options: SubscriptionOptions): RestRequest {
  const { deadLetterPolicy, ...rest } = options;
  const body: Record<string, unknown> = { topic: topicName(project, topic), ...rest };
  if (deadLetterPolicy) body.deadLetterPolicy = { ...deadLetterPolicy, deadLetterTopic: topicName(project, deadLetterPolicy.deadLetterTopic) };
  return { method: "PUT", path: subscriptionName(project, subscription), body };
}

export function deleteSubscriptionRequest(project: string, subscription: string): RestRequest {
  return { method: "DELETE", path: subscriptionName(project, subscription) };
}

/** One request per ≤1,000 messages and ≤9 MB of payload, in order. */
export function publishRequests(project: string, topic: string, messages: OutgoingMessage[]): RestRequest[] {
  const path = `${topicName(project, topic)}:publish`;
  return splitPublishBatches(messages).map((batch) => ({ method: "POST", path, body: { messages: batch } }));
}

function splitPublishBatches(messages: OutgoingMessage[]): OutgoingMessage[][] {
  const batches: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = approximateBytes(message);
    if (current.length === MAX_PUBLISH_MESSAGES || (current.length > 0 && bytes + size > MAX_PUBLISH_BYTES)) {
      batches.push(current);
      [current, bytes] = [[], 0];
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * A long poll (`returnImmediately: false`): the server answers as soon as it has a message, or empty once the wait is
 * over. The wait travels as a `grpc-timeout` header, which the emulator's REST front forwards as the call's deadline (it
 * answers about a second before it); without one an empty pull waits ~90 s. The client gives up `CLIENT_GRACE_SECONDS`
 * later than that deadline, only if the server stalled.
 */
export function pullRequest(project: string, subscription: string, maxMessages: number, waitSeconds: number): RestRequest {
  return {
    method: "POST",
    path: `${subscriptionName(project, subscription)}:pull`,
    body: { maxMessages, returnImmediately: false },
    headers: { "grpc-timeout": `${waitSeconds}S` },
    timeoutMs: (waitSeconds + CLIENT_GRACE_SECONDS) * 1000,
  };
}

export function getSubscriptionRequest(project: string, subscription: string): RestRequest {
  return { method: "GET", path: subscriptionName(project, subscription) };
}

export function acknowledgeRequests(project: string, subscription: string, ackIds: string[]): RestRequest[] {
  const path = `${subscriptionName(project, subscription)}:acknowledge`;
  return chunk(ackIds, MAX_ACK_IDS).map((ids) => ({ method: "POST", path, body: { ackIds: ids } }));
}

export function modifyAckDeadlineRequests(project: string, subscription: string, ackIds: string[], ackDeadlineSeconds: number): RestRequest[] {
  const path = `${subscriptionName(project, subscription)}:modifyAckDeadline`;
  return chunk(ackIds, MAX_ACK_IDS).map((ids) => ({ method: "POST", path, body: { ackIds: ids, ackDeadlineSeconds } }));
}

function approximateBytes(message: OutgoingMessage): number {
  const attributes = Object.entries(message.attributes ?? {});
  return message.data.length + attributes.reduce((sum, [key, value]) => sum + key.length + value.length + 8, 0);
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
