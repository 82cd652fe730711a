import type { LeaseInfo, MessageSource, PulledMessage } from "../ports";
import { DeliveryCounter } from "./delivery-counter";
import { pullInPolls, requestSizes, type PollLost, type StopFilling } from "./long-poll";
import type { SubscriptionOptions } from "./requests";
import { PubSubRestClient, type ReceivedMessage } from "./rest-client";

/** The emulator answers a pull with at most 100 messages, whatever `maxMessages` says. */
export const EMULATOR_MAX_PER_PULL = 100;

export interface OpenEmulatorSourceOptions {
  host: string;
  project: string;
  topic: string;
  subscription: string;
  /** Default 60 s. */
  ackDeadlineSeconds?: number;
  deadLetterPolicy?: SubscriptionOptions["deadLetterPolicy"];
}

/**
 * The message-source role over the emulator's REST API.
 *
 * Found by experiment with emulator 0.8.20 (Google Cloud CLI): it supports dead-letter policies (the dead-letter topic
 * must exist, maxDeliveryAttempts ≥ 5; after that many deliveries the message moves to the dead-letter topic with
 * `CloudPubSubDeadLetterSource*` attributes) and then fills `deliveryAttempt` (1, 2, … on each nack or expiry). Without
 * a policy `deliveryAttempt` is absent, as on Pub/Sub, so this source counts deliveries itself per message id.
 */
export class EmulatorMessageSource implements MessageSource {
  private readonly counter = new DeliveryCounter();

  /**
   * @param createdAckDeadlineSeconds the ack deadline of the subscription when `open` created it just now (so no
   *   earlier consumer can hold leases on it); undefined when it already existed.
   */
  constructor(
    private readonly client: PubSubRestClient,
    readonly subscription: string,
    private readonly createdAckDeadlineSeconds?: number,
  ) {}

  /** Creates the topic and the subscription if missing (the emulator forgets both at every restart), then opens it. */
  static async open(options: OpenEmulatorSourceOptions): Promise<EmulatorMessageSource> {
    const client = new PubSubRestClient(options.host, options.project);
    await client.createTopic(options.topic);
    if (options.deadLetterPolicy) await client.createTopic(options.deadLetterPolicy.deadLetterTopic);
    const { ackDeadlineSeconds = 60, deadLetterPolicy } = options;
    const created = await client.createSubscription(options.subscription, options.topic, {
      ackDeadlineSeconds,
      deadLetterPolicy,
    });
    return new EmulatorMessageSource(
      client,
      options.subscription,
      created === "created" ? ackDeadlineSeconds : undefined,
    );
  }

  /** Long polls of ≤100 messages (see `pullInPolls`): [] only after about `waitSeconds` without a message. */
  async pull(
    max: number,
    waitSeconds?: number,
    onLost?: PollLost,
    stopFilling?: StopFilling,
  ): Promise<PulledMessage[]> {
    const received = await pullInPolls(
      max,
      EMULATOR_MAX_PER_PULL,
      waitSeconds,
      (size, wait) => this.client.pull(this.subscription, size, wait),
      onLost,
      stopFilling && ((received) => stopFilling(received[0].message.publishTime)),
    );
    return received.map((message) => this.toPulled(message));
  }

  async leases(): Promise<LeaseInfo> {
    if (this.createdAckDeadlineSeconds !== undefined)
      return { ackDeadlineSeconds: this.createdAckDeadlineSeconds, earlierLeasesPossible: false };
    const { ackDeadlineSeconds = 10 } = await this.client.getSubscription(this.subscription); // 10 s: Pub/Sub's default
    return { ackDeadlineSeconds, earlierLeasesPossible: true };
  }

  async ack(ackIds: string[]): Promise<void> {
    await this.client.acknowledge(this.subscription, ackIds);
    this.counter.acked(ackIds);
  }

  async nack(ackIds: string[]): Promise<void> {
    await this.client.modifyAckDeadline(this.subscription, ackIds, 0);
  }

  async extendDeadline(ackIds: string[], seconds: number): Promise<void> {
    await this.client.modifyAckDeadline(this.subscription, ackIds, seconds);
  }

  /** Nothing to release: `fetch` keeps no connection that outlives the process's idle timeout. */
  async close(): Promise<void> {}

  private toPulled({ ackId, message, deliveryAttempt }: ReceivedMessage): PulledMessage {
    return {
      ackId,
      messageId: message.messageId,
      data: message.data ?? "",
      attributes: message.attributes ?? {},
      publishTime: message.publishTime,
      deliveryAttempt: deliveryAttempt ?? this.counter.delivered(message.messageId, ackId),
    };
  }
}

/** 250 → [100, 100, 50]. */
export function pullSizes(max: number): number[] {
  return requestSizes(max, EMULATOR_MAX_PER_PULL);
}
