import { CLIENT_GRACE_SECONDS } from "./long-poll";

/**
 * The exact Pub/Sub REST/JSON requests, built without sending anything (the client sends them). The emulator serves
 * the same `v1` REST surface as Pub/Sub, on plain HTTP.
 */
import { InvalidIdentifierError, validateProjectId } from "../identifiers/project";
import { validateSubscriptionId, validateTopicId } from "../identifiers/pubsub";

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

/**
 * `events` → `projects/<p>/topics/events`, or a full name; either way the project and the id are checked by Google's
 * rules (`io/identifiers`) before anything is sent, as on the Google path: `../topics/x` is refused, not a path.
 */
export function topicName(project: string, topic: string): string {
  return resourceName(project, "topics", topic, validateTopicId);
}

export function subscriptionName(project: string, subscription: string): string {
  return resourceName(project, "subscriptions", subscription, validateSubscriptionId);
}

type Collection = "topics" | "subscriptions";

function resourceName(project: string, collection: Collection, id: string, validate: (id: string) => string): string {
  if (!id.startsWith("projects/")) return `projects/${validateProjectId(project)}/${collection}/${validate(id)}`;
  const full = /^projects\/([^/]*)\/([^/]*)\/([^/]*)$/.exec(id);
  if (!full || full[2] !== collection) {
    const kind = `Pub/Sub ${collection.slice(0, -1)} name`;
    throw new InvalidIdentifierError(kind, id, `must be projects/<project>/${collection}/<id>`);
  }
  return `projects/${validateProjectId(full[1])}/${collection}/${validate(full[3])}`;
}

/** A checked name as a URL path: each segment percent-encoded (Google allows `%` and `+` in ids). */
function urlPath(name: string): string {
  return name.split("/").map(encodeURIComponent).join("/");
}

export function createTopicRequest(project: string, topic: string): RestRequest {
  return { method: "PUT", path: urlPath(topicName(project, topic)), body: {} };
}

export function deleteTopicRequest(project: string, topic: string): RestRequest {
  return { method: "DELETE", path: urlPath(topicName(project, topic)) };
}

export function listTopicSubscriptionsRequest(project: string, topic: string): RestRequest {
  return { method: "GET", path: `${urlPath(topicName(project, topic))}/subscriptions` };
}

export function createSubscriptionRequest(
  project: string,
  subscription: string,
  topic: string,
  options: SubscriptionOptions,
): RestRequest {
  const { deadLetterPolicy, ...rest } = options;
  const body: Record<string, unknown> = { topic: topicName(project, topic), ...rest };
  if (deadLetterPolicy)
    body.deadLetterPolicy = {
      ...deadLetterPolicy,
      deadLetterTopic: topicName(project, deadLetterPolicy.deadLetterTopic),
    };
  return { method: "PUT", path: urlPath(subscriptionName(project, subscription)), body };
}

export function deleteSubscriptionRequest(project: string, subscription: string): RestRequest {
  return { method: "DELETE", path: urlPath(subscriptionName(project, subscription)) };
}

/** One request per ≤1,000 messages and ≤9 MB of payload, in order. */
export function publishRequests(project: string, topic: string, messages: OutgoingMessage[]): RestRequest[] {
  const path = `${urlPath(topicName(project, topic))}:publish`;
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
export function pullRequest(
  project: string,
  subscription: string,
  maxMessages: number,
  waitSeconds: number,
): RestRequest {
  return {
    method: "POST",
    path: `${urlPath(subscriptionName(project, subscription))}:pull`,
    body: { maxMessages, returnImmediately: false },
    headers: { "grpc-timeout": `${waitSeconds}S` },
    timeoutMs: (waitSeconds + CLIENT_GRACE_SECONDS) * 1000,
  };
}

export function getSubscriptionRequest(project: string, subscription: string): RestRequest {
  return { method: "GET", path: urlPath(subscriptionName(project, subscription)) };
}

export function acknowledgeRequests(project: string, subscription: string, ackIds: string[]): RestRequest[] {
  const path = `${urlPath(subscriptionName(project, subscription))}:acknowledge`;
  return chunk(ackIds, MAX_ACK_IDS).map((ids) => ({ method: "POST", path, body: { ackIds: ids } }));
}

export function modifyAckDeadlineRequests(
  project: string,
  subscription: string,
  ackIds: string[],
  ackDeadlineSeconds: number,
): RestRequest[] {
  const path = `${urlPath(subscriptionName(project, subscription))}:modifyAckDeadline`;
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
