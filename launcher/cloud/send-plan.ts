import { cloudErrorOf } from "./errors";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "./retry";
import type { Plan } from "../plan";

/**
 * Sends one planned request through `call`: a client error becomes a CloudApiError naming the plan's method, and
 * quota or availability errors are retried by `retry` (with backoff; tests pass tiny delays).
 */
export function sendPlan<T>(plan: Plan, call: () => Promise<T>, retry: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  return withRetry(async () => {
    try {
      return await call();
    } catch (err) {
      throw cloudErrorOf(err, plan.service, plan.method);
    }
  }, retry);
}
