import { RoxError } from "../errors/rox-error";

/** How the streaming job retries calls to its message source: exponential backoff with jitter, within a budget. */
export interface RetryPolicy {
  /** First pause (default 100 ms); each next one doubles, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** How long a source may stay unreachable before the job gives up (default 60 s). */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 10_000, budgetMs: 60_000 };

/**
 * Pub/Sub's retryable statuses, as Google's client retries them (plus no answer at all, which both sources report as
 * UNAVAILABLE or DEADLINE_EXCEEDED). NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT… will not heal by waiting.
 */
const TRANSIENT = new Set([
  "UNAVAILABLE",
  "DEADLINE_EXCEEDED",
  "INTERNAL",
  "ABORTED",
  "RESOURCE_EXHAUSTED",
  "UNKNOWN",
  "CANCELLED", // the emulator's answer to a poll it could not serve before the deadline
]);

/** Both sources' errors carry Pub/Sub's status name in `status`. */
export function isTransient(err: unknown): boolean {
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === "string" && TRANSIENT.has(status);
}

/** The message source stayed unreachable longer than the retry budget; the job committed what it had and stopped. */
export class SourceUnavailableError extends RoxError {
  readonly kind = "cloud";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SourceUnavailableError";
  }
}

/**
 * Calls `call` until it succeeds, retrying transient failures with backoff. A failure that is not transient is thrown
 * as is; a source still failing when the budget is spent becomes a `SourceUnavailableError` naming the last cause.
 * `onFailure` hears of every failed try (a failed pull may have leased messages the job never saw).
 */
export async function withRetry<T>(
  what: string,
  call: () => Promise<T>,
  policy: RetryPolicy,
  onFailure?: (err: unknown) => void,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      onFailure?.(err);
      if (!isTransient(err)) throw err;
      const elapsed = Date.now() - started;
      if (elapsed >= policy.budgetMs) throw unavailable(what, attempt + 1, elapsed, err);
      await sleep(Math.min(backoff(policy, attempt), policy.budgetMs - elapsed));
    }
  }
}

function unavailable(what: string, tries: number, elapsedMs: number, cause: unknown): SourceUnavailableError {
  const reason = (cause as Error).message ?? String(cause);
  const seconds = (elapsedMs / 1000).toFixed(1);
  const message = `the message source stayed unreachable: ${what} failed ${tries} times over ${seconds} s (${reason})`;
  return new SourceUnavailableError(message, { cause });
}

/** Full jitter on an exponential ceiling, as Google's clients do. */
function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
