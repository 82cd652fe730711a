import { EmulatorMessageSource } from "./emulator-source";
import { subscriptionName, topicName } from "./requests";
import { PubSubRestClient } from "./rest-client";

export interface OpenSubscriptionOptions {
  host: string;
  project: string;
  subscription: string;
  /** When given, the topic and the subscription are created if missing (the emulator forgets both at each restart). */
  topic?: string;
  /** The job dead-letters a message delivered more often than this (default 5). */
  maxDeliveryAttempts?: number;
  /** For a subscription it creates (default 60 s): how long until an unacked message is delivered again. */
  ackDeadlineSeconds?: number;
}

/**
 * The emulator subscription the streaming job reads. A subscription it creates gets a dead-letter policy one attempt
 * above the job's own limit: Pub/Sub then counts deliveries durably (across restarts of the job), and the job
 * dead-letters the message into the warehouse at its limit, before Pub/Sub would move it to the dead-letter topic.
 */
export async function openSubscription(options: OpenSubscriptionOptions): Promise<EmulatorMessageSource> {
  checkNames(options);
  if (!options.topic)
    return new EmulatorMessageSource(new PubSubRestClient(options.host, options.project), options.subscription);
  const maxDeliveryAttempts = Math.max(5, (options.maxDeliveryAttempts ?? 5) + 1);
  return EmulatorMessageSource.open({
    host: options.host,
    project: options.project,
    topic: options.topic,
    subscription: options.subscription,
    ackDeadlineSeconds: options.ackDeadlineSeconds,
    deadLetterPolicy: { deadLetterTopic: `${options.topic}-dead-letter`, maxDeliveryAttempts },
  });
}

/** Checked before any call, by the Google path's rules: a name that is not an id never becomes part of a URL. */
function checkNames({ project, subscription, topic }: OpenSubscriptionOptions): void {
  subscriptionName(project, subscription);
  if (topic !== undefined) for (const name of [topic, `${topic}-dead-letter`]) topicName(project, name);
}
