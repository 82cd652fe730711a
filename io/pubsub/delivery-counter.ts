/**
 * Counts deliveries per message id, for subscriptions without a dead-letter policy (Pub/Sub, and the emulator, fill
 * `deliveryAttempt` only when there is one). Right within one process; memory is bounded by the unacked messages.
 */
export class DeliveryCounter {
  private readonly byMessage = new Map<string, { attempts: number; ackId: string }>();
  private readonly messageOfAck = new Map<string, string>();

  /** Records a delivery and returns its attempt number (1 on the first delivery this process saw). */
  delivered(messageId: string, ackId: string): number {
    const previous = this.byMessage.get(messageId);
    if (previous) this.messageOfAck.delete(previous.ackId); // a redelivery gets a new ack id; the old one is dead
    const attempts = (previous?.attempts ?? 0) + 1;
    this.byMessage.set(messageId, { attempts, ackId });
    this.messageOfAck.set(ackId, messageId);
    return attempts;
  }

  /** An acked message will not come back: forget it. */
  acked(ackIds: string[]): void {
    for (const ackId of ackIds) {
      const messageId = this.messageOfAck.get(ackId);
      this.messageOfAck.delete(ackId);
      if (messageId !== undefined && this.byMessage.get(messageId)?.ackId === ackId) this.byMessage.delete(messageId);
    }
  }

  get tracked(): number {
    return this.byMessage.size;
  }
}
