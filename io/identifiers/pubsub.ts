/**
 * Pub/Sub topic and subscription ids, checked before any API call. The rules are Google's
 * (cloud.google.com/pubsub/docs/pubsub-basics#resource_names): 3 to 255 characters, a letter first, then letters,
 * digits and `- _ . ~ + %`, and not starting with "goog". The project part of a name follows the project-id rules.
 */
import { checkIdentifier, InvalidIdentifierError, validateProjectId, type IdentifierRule } from "./project";

const RESOURCE_RULES: IdentifierRule[] = [
  (id) => (id.length >= 3 && id.length <= 255 ? undefined : "must be 3 to 255 characters long"),
  (id) => (/^[A-Za-z]/.test(id) ? undefined : "must start with a letter"),
  (id) => (/^[A-Za-z0-9\-_.~+%]+$/.test(id) ? undefined : "may contain only letters, digits and - _ . ~ + %"),
  // Case-sensitive: the emulator refuses "googx" and accepts "Googx".
  (id) => (id.startsWith("goog") ? 'must not start with "goog"' : undefined),
];

export function validateTopicId(id: string): string {
  return checkIdentifier("Pub/Sub topic id", id, RESOURCE_RULES);
}

export function validateSubscriptionId(id: string): string {
  return checkIdentifier("Pub/Sub subscription id", id, RESOURCE_RULES);
}

/** Both ids checked; returns the full name `projects/<p>/subscriptions/<s>` the API addresses. */
export function subscriptionPath(projectId: string, subscription: string): string {
  return `projects/${validateProjectId(projectId)}/subscriptions/${validateSubscriptionId(subscription)}`;
}

/** `projects/<p>/topics/<t>`, both ids checked (throws `InvalidIdentifierError`); returns the parts and the name. */
export function parseTopicName(name: string): { projectId: string; topic: string; name: string } {
  const match = /^projects\/([^/]+)\/topics\/([^/]+)$/.exec(name);
  if (!match) throw new InvalidIdentifierError("Pub/Sub topic name", name, "must be projects/<project>/topics/<topic>");
  return { projectId: validateProjectId(match[1]), topic: validateTopicId(match[2]), name };
}
