import type { MessageSource } from "../io/ports";
import { describe } from "./stream-isolate";
import { withRetry, type RetryPolicy } from "./source-retry";

/**
 * Acks go out in order once their batch is committed, without holding up the next batch; failures are retried with
 * backoff. A lost ack only means a redelivery, which the warehouse's id check counts as a duplicate.
 */
export class AckQueue {
  private tail: Promise<void> = Promise.resolve();
  private abandoned = false;

  constructor(
    private readonly source: MessageSource,
    private readonly retry: RetryPolicy,
    private readonly log: (line: string) => void,
  ) {}

  ack(ackIds: string[]): void {
    if (ackIds.length === 0) return;
    const send = () => (this.abandoned ? this.source.ack(ackIds) : withRetry("ack", () => this.source.ack(ackIds), this.retry));
    this.tail = this.tail.then(send).catch((err) => this.log(`ack of ${ackIds.length} messages failed (they will be redelivered and counted as duplicates): ${describe(err)}`));
  }

  drained(): Promise<void> {
    return this.tail;
  }

  /** The job is ending on an error: acks not yet sent are tried once, without retries. */
  abandon(): void {
    this.abandoned = true;
  }
}
