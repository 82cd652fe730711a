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
/**
 * Requests in flight at once while a backlog fills a batch. The emulator serves pulls one after another (~1,000-1,700
 * messages/s however many wait), so more at once gains nothing and only queues requests toward their deadlines.
 */
export const FILL_CONCURRENCY = 10;
/**
 * The wait of a fill request (after a full first poll): short, so a request that finds the backlog gone answers at
 * once (the emulator answers at once for a deadline of one second or less) instead of holding the batch ~9 s.
 */
export const FILL_WAIT_SECONDS = 1;
/** How long past its own deadline a request may take before the client gives up on it (a stalled server). */
export const CLIENT_GRACE_SECONDS = 15;

/** One request: up to `size` messages, waiting up to `waitSeconds` for the first. */
export type PollOnce<T> = (size: number, waitSeconds: number) => Promise<T[]>;

/** Told of a request that failed after others had brought messages: its messages, if any, stay leased until their deadline. */
export type PollLost = (err: unknown) => void;

/**
 * Asked before each fill round, once the first poll brought messages (given the publish time of the first one): true
 * ends the pull with what it has (the streaming job's micro-batch closes on time as well as on size). Requests
 * already sent are always awaited.
 */
export type StopFilling = (firstPublishTime: string) => boolean;

/**
 * Up to `max` messages in requests of at most `perRequest`: one long poll first (so an idle subscription costs one
 * request per wait); only if it came back full (a backlog), rounds of up to `FILL_CONCURRENCY` requests, until the
 * batch is full, a round comes back short, or `stopFilling` says so. Rejects only when the first request fails: a
 * later failure keeps what came and is reported to `onLost`.
 */
export async function pullInPolls<T>(
  max: number,
  perRequest: number,
  waitSeconds: number | undefined,
  poll: PollOnce<T>,
  onLost?: PollLost,
  stopFilling?: (received: T[]) => boolean,
): Promise<T[]> {
  const sizes = requestSizes(max, perRequest);
  if (sizes.length === 0) return [];
  const wait = clampWait(waitSeconds ?? DEFAULT_WAIT_SECONDS);
  const received = await poll(sizes[0], wait);
  let full = received.length === sizes[0];
  for (let next = 1; full && next < sizes.length && !stopFilling?.(received); next += FILL_CONCURRENCY) {
    const round = sizes.slice(next, next + FILL_CONCURRENCY);
    // A backlog is there: these answer at once; one that finds it gone must not hold the batch until a long deadline.
    const answers = await Promise.allSettled(round.map((size) => poll(size, FILL_WAIT_SECONDS)));
    answers.forEach((answer, i) => {
      if (answer.status === "rejected") return void ((full = false), onLost?.(answer.reason));
      received.push(...answer.value);
      full &&= answer.value.length === round[i];
    });
  }
  return received;
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
