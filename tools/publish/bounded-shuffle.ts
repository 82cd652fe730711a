import { MinHeap } from "./min-heap";

/** A memory guard: past this many buffered messages the earliest goes out even if its delay is not over. */
const MAX_BUFFERED = 500_000;

/**
 * Delivers items out of order within `windowMs` of event time, as a network and a few publishers would: each item is
 * held back by a random delay in [0, windowMs) of event time and released once the input has reached its event time
 * plus that delay. For input in event-time order, any two items delivered out of order are less than `windowMs`
 * apart, and only that much event time is ever buffered. Input that is already late (earlier than what was read
 * before it) goes out at once, late as it came. Items without an event time go out with their neighbours.
 */
export function* boundedShuffle<T extends { eventTimeMs?: number }>(
  items: Iterable<T>,
  windowMs: number,
  random: () => number,
): Generator<T> {
  if (!(windowMs > 0)) return yield* items;
  const held = new MinHeap<T>();
  let reached = -Infinity; // the largest event time read so far
  for (const item of items) {
    const time = item.eventTimeMs ?? reached;
    reached = Math.max(reached, time);
    held.push(time + random() * windowMs, item);
    while (held.size > 0 && (held.peekKey()! <= reached || held.size > MAX_BUFFERED)) yield held.pop()!;
  }
  while (held.size > 0) yield held.pop()!;
}
