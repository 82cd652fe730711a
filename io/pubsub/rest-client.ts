import { PubSubRestError } from "./errors";
import { MIN_WAIT_SECONDS } from "./long-poll";
import * as requests from "./requests";
import type { OutgoingMessage, RestRequest, SubscriptionOptions } from "./requests";

/** A message as the REST `pull` returns it; `deliveryAttempt` is present only when the subscription has a dead-letter policy. */
export interface ReceivedMessage {
  ackId: string;
  message: { data?: string; attributes?: Record<string, string>; messageId: string; publishTime: string };
  deliveryAttempt?: number;
}

export type CreateResult = "created" | "exists";

/**
 * Pub/Sub over its REST/JSON API with Node's `fetch`, no credentials: meant for the emulator (`host` = its
 * `PUBSUB_EMULATOR_HOST`), so the local path never loads a Google client library.
 */
export class PubSubRestClient {
  constructor(
    readonly host: string,
    readonly project: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** Idempotent: an existing topic is fine. */
  async createTopic(topic: string): Promise<CreateResult> {
    return this.create(requests.createTopicRequest(this.project, topic));
  }

  async createSubscription(subscription: string, topic: string, options: SubscriptionOptions): Promise<CreateResult> {
    return this.create(requests.createSubscriptionRequest(this.project, subscription, topic, options));
  }

  async deleteTopic(topic: string): Promise<void> {
    await this.deleteIfPresent(requests.deleteTopicRequest(this.project, topic));
  }

  async deleteSubscription(subscription: string): Promise<void> {
    await this.deleteIfPresent(requests.deleteSubscriptionRequest(this.project, subscription));
  }

  /** Full names of the topic's subscriptions (a message published to a topic without any is dropped). */
  async listTopicSubscriptions(topic: string): Promise<string[]> {
    const response = (await this.send(requests.listTopicSubscriptionsRequest(this.project, topic))) as {
      subscriptions?: string[];
    };
    return response.subscriptions ?? [];
  }

  /** Publishes in requests of ≤1,000 messages, one after another so message ids follow the input order. */
  async publish(topic: string, messages: OutgoingMessage[]): Promise<string[]> {
    const ids: string[] = [];
    for (const request of requests.publishRequests(this.project, topic, messages)) {
      ids.push(...((await this.send(request)) as { messageIds: string[] }).messageIds);
    }
    return ids;
  }

  /**
   * One long poll: answers as soon as there is a message, or [] after about `waitSeconds`; the emulator returns at most
   * 100 messages however many are asked for.
   */
  async pull(subscription: string, maxMessages: number, waitSeconds = MIN_WAIT_SECONDS): Promise<ReceivedMessage[]> {
    const response = (await this.send(requests.pullRequest(this.project, subscription, maxMessages, waitSeconds))) as {
      receivedMessages?: ReceivedMessage[];
    };
    return response.receivedMessages ?? [];
  }

  /** The subscription's settings (its ack deadline, …). */
  async getSubscription(subscription: string): Promise<{ ackDeadlineSeconds?: number }> {
    return (await this.send(requests.getSubscriptionRequest(this.project, subscription))) as {
      ackDeadlineSeconds?: number;
    };
  }

  async acknowledge(subscription: string, ackIds: string[]): Promise<void> {
    await Promise.all(requests.acknowledgeRequests(this.project, subscription, ackIds).map((r) => this.send(r)));
  }

  /** Seconds 0 hands the messages back for redelivery now (a nack). */
  async modifyAckDeadline(subscription: string, ackIds: string[], ackDeadlineSeconds: number): Promise<void> {
    await Promise.all(
      requests
        .modifyAckDeadlineRequests(this.project, subscription, ackIds, ackDeadlineSeconds)
        .map((r) => this.send(r)),
    );
  }

  private async create(request: RestRequest): Promise<CreateResult> {
    try {
      await this.send(request);
      return "created";
    } catch (err) {
      if (err instanceof PubSubRestError && err.httpStatus === 409) return "exists";
      throw err;
    }
  }

  private async deleteIfPresent(request: RestRequest): Promise<void> {
    try {
      await this.send(request);
    } catch (err) {
      if (!(err instanceof PubSubRestError && err.httpStatus === 404)) throw err;
    }
  }

  /** Sends one request; a non-2xx answer or no answer becomes a PubSubRestError carrying Pub/Sub's status. */
  async send(request: RestRequest): Promise<unknown> {
    const url = `http://${this.host}/v1/${request.path}`;
    let response: Response;
    let text: string;
    try {
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      const headers = { "content-type": "application/json", ...request.headers };
      response = await fetch(url, {
        method: request.method,
        body,
        headers,
        signal: AbortSignal.timeout(request.timeoutMs ?? this.timeoutMs),
      });
      text = await response.text(); // a connection lost in the middle of the answer is "no answer" too
    } catch (err) {
      const status = (err as Error).name === "TimeoutError" ? "DEADLINE_EXCEEDED" : "UNAVAILABLE";
      throw new PubSubRestError(
        `${request.method} ${url}: no answer (${describeCause(err)}); is the emulator running? (rox emulator status)`,
        0,
        status,
        { cause: err },
      );
    }
    if (!response.ok) throw restError(request, url, response.status, text);
    return text.trim() ? JSON.parse(text) : {};
  }
}

function restError(request: RestRequest, url: string, httpStatus: number, text: string): PubSubRestError {
  let error: { message?: string; status?: string } = {};
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
  } catch {
    // not JSON: keep the raw text as the message
  }
  const status = error.status ?? String(httpStatus);
  return new PubSubRestError(
    `${request.method} ${url}: ${httpStatus} ${status}: ${error.message ?? text.slice(0, 200)}`,
    httpStatus,
    status,
  );
}

function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
