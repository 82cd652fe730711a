import { CloudApiError, type CloudFailure } from "./errors";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubled for each later one. */
  initialDelayMs: number;
  retryOn: readonly CloudFailure[];
}

/** Quota and availability errors are worth waiting for; everything else is final at once. */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  initialDelayMs: 1000,
  retryOn: ["quota-exhausted", "unavailable"],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `send` until it succeeds, fails with an error not worth retrying, or runs out of attempts; then the last error
 * is rethrown with the number of attempts in its message, so the operator knows the retries happened.
 */
export async function withRetry<T>(send: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const retryable = err instanceof CloudApiError && policy.retryOn.includes(err.failure);
      if (!retryable) throw err;
      if (attempt >= policy.attempts) throw gaveUp(err, attempt);
      await sleep(policy.initialDelayMs * 2 ** (attempt - 1));
    }
  }
}

function gaveUp(err: CloudApiError, attempts: number): CloudApiError {
  const message = `${err.message.replace(/^[^:]*: /, "")} (gave up after ${attempts} attempts)`;
  return new CloudApiError(err.failure, err.service, err.method, message, { cause: err });
}
