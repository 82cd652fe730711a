/**
 * How both message sources pull: long polls, never `returnImmediately` (Pub/Sub deprecates it because such pulls can
 * come back empty while a backlog waits). Every request carries its wait as a gRPC deadline, which the emulator and
 * Pub/Sub honour by answering (empty) before it: the server ends each poll, so no request is abandoned while the
 * server may still hand it messages (an abandoned poll would hold them leased until their ack deadline).
 */

/** The longest a pull waits for its first message: an idle job sends about one request per this many seconds. */
export const DEFAULT_WAIT_SECONDS = 10;
/**
 * The shortest wait sent: the emulator answers about a second before the deadline, and at once for a deadline of one
 * second or less, so a shorter wait would turn a long poll back into a busy loop.
 */
export const MIN_WAIT_SECONDS = 2;
/** The wait of the extra requests that fill a batch once the first one came back full (a backlog is there). */
const FILL_WAIT_SECONDS = MIN_WAIT_SECONDS;
/** How long past its own deadline a request may take before the client gives up on it (a stalled server). */
export const CLIENT_GRACE_SECONDS = 15;

/** One request: up to `size` messages, waiting up to `waitSeconds` for the first. */
export type PollOnce<T> = (size: number, waitSeconds: number) => Promise<T[]>;

/**
 * Up to `max` messages in requests of at most `perRequest`: one long poll first (so an idle subscription costs one
 * request per wait), then, only if it came back full, the rest of the batch in concurrent requests with a short wait.
 */
export async function pullInPolls<T>(max: number, perRequest: number, waitSeconds: number | undefined, poll: PollOnce<T>): Promise<T[]> {
  const sizes = requestSizes(max, perRequest);
  if (sizes.length === 0) return [];
  const first = await poll(sizes[0], clampWait(waitSeconds ?? DEFAULT_WAIT_SECONDS));
  if (first.length < sizes[0] || sizes.length === 1) return first;
  const rest = await Promise.all(sizes.slice(1).map((size) => poll(size, FILL_WAIT_SECONDS)));
  return first.concat(...rest);
}

/** Whole seconds between MIN_WAIT_SECONDS and DEFAULT_WAIT_SECONDS. */
export function clampWait(seconds: number): number {
  return Math.min(DEFAULT_WAIT_SECONDS, Math.max(MIN_WAIT_SECONDS, Math.ceil(seconds)));
}

/** 250 at 100 a request → [100, 100, 50]; nothing for 0 (Pub/Sub refuses `maxMessages: 0`). */
export function requestSizes(max: number, perRequest: number): number[] {
  const sizes: number[] = [];
  for (let left = Math.max(0, Math.floor(max)); left > 0; left -= perRequest) sizes.push(Math.min(left, perRequest));
  return sizes;
}
