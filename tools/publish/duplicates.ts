import { MinHeap } from "./min-heap";

/** A retried publish lands shortly after the original: within this many later messages. */
export const MAX_DUPLICATE_LAG = 100;

/**
 * Re-publishes each item with probability `probability`, as a publisher that retries after a lost acknowledgement
 * does: the copy (marked `duplicate`) follows the original within the next MAX_DUPLICATE_LAG messages, so it often
 * lands in a later publish request, and in a later micro-batch of the consumer.
 */
export function* withDuplicates<T>(
  items: Iterable<T>,
  probability: number,
  random: () => number,
): Generator<{ item: T; duplicate: boolean }> {
  const pending = new MinHeap<T>();
  let position = 0;
  for (const item of items) {
    while (pending.size > 0 && pending.peekKey()! <= position) yield { item: pending.pop()!, duplicate: true };
    yield { item, duplicate: false };
    position++;
    if (probability > 0 && random() < probability)
      pending.push(position + Math.floor(random() * MAX_DUPLICATE_LAG), item);
  }
  while (pending.size > 0) yield { item: pending.pop()!, duplicate: true };
}
