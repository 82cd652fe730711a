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
    const ack = () => this.source.ack(ackIds);
    const send = () => (this.abandoned ? ack() : withRetry("ack", ack, this.retry));
    const outcome = "they will be redelivered and counted as duplicates";
    const failed = (err: unknown) => this.log(`ack of ${ackIds.length} messages failed (${outcome}): ${describe(err)}`);
    this.tail = this.tail.then(send).catch(failed);
  }

  drained(): Promise<void> {
    return this.tail;
  }

  /** The job is ending on an error: acks not yet sent are tried once, without retries. */
  abandon(): void {
    this.abandoned = true;
  }
}
