import type { LeaseInfo, MessageSource, PulledMessage } from "../ports";
import type { OutgoingMessage } from "../pubsub/requests";

/**
 * Topics and subscriptions held in this process, with Pub/Sub's delivery rules: each subscription gets a copy of every
 * message published after it was created; a pulled message is leased until its ack deadline, then delivered again;
 * a nack hands it back at once; `deliveryAttempt` counts deliveries (1, 2, …), as Pub/Sub does for a subscription
 * with a dead-letter policy (the policy itself — moving a message to a dead-letter topic — is not modelled: the
 * streaming job dead-letters at its own limit first). For tests and demos that need a message source without the
 * emulator; the message-source conformance suite runs against it.
 */
export class MemoryPubSub {
  private readonly topics = new Map<string, string[]>();
  private readonly subscriptions = new Map<string, Subscription>();
  private sequence = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Creates the topic if missing. */
  createTopic(topic: string): void {
    if (!this.topics.has(topic)) this.topics.set(topic, []);
  }

  /** Creates the subscription on an existing topic if missing (an existing one keeps its settings). */
  createSubscription(subscription: string, topic: string, options: { ackDeadlineSeconds?: number } = {}): void {
    const subscribers = this.topics.get(topic);
    if (!subscribers) throw notFound(`topic ${topic}`);
    if (this.subscriptions.has(subscription)) return;
    this.subscriptions.set(subscription, new Subscription((options.ackDeadlineSeconds ?? 60) * 1000));
    subscribers.push(subscription);
  }

  /** The new messages' ids, in order. */
  publish(topic: string, messages: OutgoingMessage[]): string[] {
    const subscribers = this.topics.get(topic);
    if (!subscribers) throw notFound(`topic ${topic}`);
    const publishTime = new Date(this.now()).toISOString();
    const stored = messages.map((m) => ({
      messageId: String(++this.sequence),
      data: m.data,
      attributes: { ...m.attributes },
      publishTime,
    }));
    for (const name of subscribers) this.subscriptions.get(name)!.ready.push(...stored);
    return stored.map((m) => m.messageId);
  }

  /** Up to `max` messages ready now (expired leases first come back), each leased until its ack deadline. */
  pull(subscription: string, max: number): PulledMessage[] {
    const sub = this.subscription(subscription);
    sub.expireLeases(this.now());
    const taken = sub.ready.splice(0, Math.max(0, Math.floor(max)));
    return taken.map((message) => sub.lease(message, `${subscription}#${++this.sequence}`, this.now()));
  }

  /** Ends the leases; unknown or expired ack ids are ignored, as Pub/Sub does. */
  acknowledge(subscription: string, ackIds: string[]): void {
    if (ackIds.length === 0) return;
    const sub = this.subscription(subscription);
    for (const ackId of ackIds) sub.acknowledge(ackId);
  }

  /** A new deadline `seconds` from now for each lease; 0 hands the message back at once (a nack). */
  modifyAckDeadline(subscription: string, ackIds: string[], seconds: number): void {
    if (ackIds.length === 0) return;
    const sub = this.subscription(subscription);
    for (const ackId of ackIds) {
      const lease = sub.leases.get(ackId);
      if (lease) lease.deadline = this.now() + seconds * 1000;
    }
    if (seconds <= 0) sub.expireLeases(this.now());
  }

  /**
   * A long poll, as Pub/Sub answers one: the messages ready now, or the first ones published (or whose lease ends)
   * within `waitSeconds`, or [] once the wait is over.
   */
  async pollFor(subscription: string, max: number, waitSeconds = 10): Promise<PulledMessage[]> {
    const until = Date.now() + waitSeconds * 1000;
    for (;;) {
      const pulled = this.pull(subscription, max);
      const left = until - Date.now();
      if (pulled.length > 0 || left <= 0) return pulled;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, left)));
    }
  }

  /** The ack deadline; earlier leases are possible exactly when some message of the subscription is leased now. */
  leases(subscription: string): LeaseInfo {
    const sub = this.subscription(subscription);
    sub.expireLeases(this.now());
    return { ackDeadlineSeconds: sub.ackDeadlineMs / 1000, earlierLeasesPossible: sub.leases.size > 0 };
  }

  /** The message-source role over one subscription (which may not exist yet: its calls then fail with NOT_FOUND). */
  source(subscription: string): MessageSource {
    return {
      pull: async (max, waitSeconds) => this.pollFor(subscription, max, waitSeconds),
      leases: async () => this.leases(subscription),
      ack: async (ackIds) => this.acknowledge(subscription, ackIds),
      nack: async (ackIds) => this.modifyAckDeadline(subscription, ackIds, 0),
      extendDeadline: async (ackIds, seconds) => this.modifyAckDeadline(subscription, ackIds, seconds),
      close: async () => undefined,
    };
  }

  private subscription(name: string): Subscription {
    const sub = this.subscriptions.get(name);
    if (!sub) throw notFound(`subscription ${name}`);
    return sub;
  }
}

/** A call on a topic or subscription that does not exist; `status` is Pub/Sub's name for it. */
export class MemoryPubSubError extends Error {
  constructor(
    message: string,
    readonly status: string,
  ) {
    super(message);
    this.name = "MemoryPubSubError";
  }
}

/** How often a waiting pull looks again: in-process, a publish is visible at the next look. */
const POLL_INTERVAL_MS = 20;

type StoredMessage = Omit<PulledMessage, "ackId" | "deliveryAttempt">;

interface Lease {
  message: StoredMessage;
  deadline: number;
}

class Subscription {
  /** Messages waiting for a pull, oldest first. */
  readonly ready: StoredMessage[] = [];
  readonly leases = new Map<string, Lease>();
  private readonly deliveries = new Map<string, number>();

  constructor(readonly ackDeadlineMs: number) {}

  lease(message: StoredMessage, ackId: string, now: number): PulledMessage {
    const deliveryAttempt = (this.deliveries.get(message.messageId) ?? 0) + 1;
    this.deliveries.set(message.messageId, deliveryAttempt);
    this.leases.set(ackId, { message, deadline: now + this.ackDeadlineMs });
    return { ...message, ackId, deliveryAttempt };
  }

  /** An acked message is gone: its lease and its delivery count (a message is in one lease or in `ready`, never both). */
  acknowledge(ackId: string): void {
    const lease = this.leases.get(ackId);
    if (!lease) return;
    this.leases.delete(ackId);
    this.deliveries.delete(lease.message.messageId);
  }

  /** Leases past their deadline end, and their messages wait for the next pull. */
  expireLeases(now: number): void {
    for (const [ackId, lease] of this.leases) {
      if (lease.deadline > now) continue;
      this.leases.delete(ackId);
      this.ready.push(lease.message);
    }
  }
}

function notFound(what: string): MemoryPubSubError {
  return new MemoryPubSubError(`NOT_FOUND: ${what} does not exist`, "NOT_FOUND");
}
