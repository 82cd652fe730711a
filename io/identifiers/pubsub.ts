/**
 * Pub/Sub topic and subscription ids, checked before any API call. The rules are Google's
 * (cloud.google.com/pubsub/docs/pubsub-basics#resource_names): 3 to 255 characters, a letter first, then letters,
 * digits and `- _ . ~ + %`, and not starting with "goog". The project part of a name follows the project-id rules.
 */
import { checkIdentifier, validateProjectId, type IdentifierRule } from "./project";

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
