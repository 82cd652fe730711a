import { subscriptionPath } from "../../identifiers/pubsub";
import type { LeaseInfo, MessageSource, PulledMessage } from "../../ports";
import { pullInPolls, requestSizes, type PollLost, type StopFilling } from "../../pubsub/long-poll";
import { DeliveryCounter } from "../../pubsub/delivery-counter";
import { MAX_ACK_IDS } from "../../pubsub/requests";
import { createSubscriberClient, type SubscriberClient, type SubscriberConnection } from "./pubsub-client";
import { pubSubCallError } from "./pubsub-errors";
import { receivedToPulled } from "./pubsub-received";

export interface PubSubSourceOptions extends SubscriberConnection {
  /** The subscription id (not the full name); it must exist: on Google Cloud subscriptions are infrastructure. */
  subscription: string;
}

/**
 * Messages asked for per pull request. The emulator answers at most 100 whatever is asked; Pub/Sub documents no cap
 * (it "may return fewer"), so 1,000 a request is our choice, not its limit.
 */
const MAX_PER_PULL = { emulator: 100, pubsub: 1000 };

/**
 * The message-source role over the official client (`@google-cloud/pubsub`, its low-level v1 subscriber): for Pub/Sub
 * on Google Cloud, and for the emulator when `emulatorHost` is given. Same semantics as the REST source: unary long
 * polls (`pullInPolls`), acks and deadline changes in requests of ≤1,000 ids, and delivery attempts counted here when
 * the subscription has no dead-letter policy.
 */
export class PubSubMessageSource implements MessageSource {
  /** `projects/<p>/subscriptions/<s>`. */
  readonly subscription: string;
  private readonly counter = new DeliveryCounter();
  private readonly maxPerPull: number;
  private client?: Promise<SubscriberClient>;

  /** Checks both ids at once (throws `InvalidIdentifierError`); the client is loaded on the first call. */
  constructor(private readonly options: PubSubSourceOptions) {
    this.subscription = subscriptionPath(options.projectId, options.subscription);
    this.maxPerPull = options.emulatorHost ? MAX_PER_PULL.emulator : MAX_PER_PULL.pubsub;
  }

  async pull(
    max: number,
    waitSeconds?: number,
    onLost?: PollLost,
    stopFilling?: StopFilling,
  ): Promise<PulledMessage[]> {
    const poll = (size: number, wait: number) => this.pullOnce(size, wait);
    const stop = stopFilling && ((received: PulledMessage[]) => stopFilling(received[0].publishTime));
    return pullInPolls(max, this.maxPerPull, waitSeconds, poll, onLost, stop);
  }

  /** Reading the subscription needs `pubsub.subscriptions.get` (roles/pubsub.viewer), beyond what pulling needs. */
  async leases(): Promise<LeaseInfo> {
    const [subscription] = await this.call("getSubscription", (client) =>
      client.getSubscription({ subscription: this.subscription }),
    );
    return { ackDeadlineSeconds: subscription.ackDeadlineSeconds || 10, earlierLeasesPossible: true };
  }

  async ack(ackIds: string[]): Promise<void> {
    await this.eachBatch("acknowledge", ackIds, (client, batch) =>
      client.acknowledge({ subscription: this.subscription, ackIds: batch }),
    );
    this.counter.acked(ackIds);
  }

  async nack(ackIds: string[]): Promise<void> {
    await this.modifyAckDeadline("nack", ackIds, 0);
  }

  async extendDeadline(ackIds: string[], seconds: number): Promise<void> {
    await this.modifyAckDeadline("modifyAckDeadline", ackIds, seconds);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await (await client).close();
  }

  /**
   * A long poll whose wait is the call's gRPC deadline: the emulator and Pub/Sub answer (empty) before it, so the call
   * is not cancelled while the server may be handing it messages. The client library's own retries are off: the
   * streaming job retries failed pulls itself, with backoff, and knows that a failed pull may have leased messages.
   */
  private async pullOnce(maxMessages: number, waitSeconds: number): Promise<PulledMessage[]> {
    const request = { subscription: this.subscription, maxMessages, returnImmediately: false };
    const [response] = await this.call("pull", (client) =>
      client.pull(request, { timeout: waitSeconds * 1000, retry: null }),
    );
    return (response.receivedMessages ?? []).map((received) => {
      const pulled = receivedToPulled(received);
      return {
        ...pulled,
        deliveryAttempt: pulled.deliveryAttempt ?? this.counter.delivered(pulled.messageId, pulled.ackId),
      };
    });
  }

  private async modifyAckDeadline(method: string, ackIds: string[], ackDeadlineSeconds: number): Promise<void> {
    await this.eachBatch(method, ackIds, (client, batch) =>
      client.modifyAckDeadline({ subscription: this.subscription, ackIds: batch, ackDeadlineSeconds }),
    );
  }

  /** One request per ≤1,000 ack ids, sent together; none for an empty list (Pub/Sub refuses an empty `ackIds`). */
  private async eachBatch(
    method: string,
    ackIds: string[],
    send: (client: SubscriberClient, batch: string[]) => Promise<unknown>,
  ): Promise<void> {
    if (ackIds.length === 0) return;
    const batches: string[][] = [];
    for (let i = 0; i < ackIds.length; i += MAX_ACK_IDS) batches.push(ackIds.slice(i, i + MAX_ACK_IDS));
    await Promise.all(batches.map((batch) => this.call(method, (client) => send(client, batch))));
  }

  /** A client that failed to load is not kept: the next call tries again. */
  private connect(): Promise<SubscriberClient> {
    this.client ??= createSubscriberClient(this.options).catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }

  /** Every failure, loading the client included, becomes a `PubSubCallError` naming the call. */
  private async call<T>(method: string, send: (client: SubscriberClient) => Promise<T>): Promise<T> {
    try {
      return await send(await this.connect());
    } catch (err) {
      throw pubSubCallError(method, this.subscription, err);
    }
  }
}

/** 250 at 100 a pull → [100, 100, 50]; nothing for 0 (Pub/Sub refuses `maxMessages: 0`). */
export function splitPulls(max: number, perPull: number): number[] {
  return requestSizes(max, perPull);
}
