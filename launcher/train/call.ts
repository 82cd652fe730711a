import { cloudErrorOf } from "../cloud/errors";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "../cloud/retry";

/** One API call: client errors become CloudApiErrors (naming the call), quota and availability errors are retried. */
export function callWithRetry<T>(
  service: string,
  method: string,
  send: () => Promise<T>,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  return withRetry(async () => {
    try {
      return await send();
    } catch (err) {
      throw cloudErrorOf(err, service, method);
    }
  }, retry);
}

/** What an apply reports: the job or run it started, or the one it found already started for the same data. */
export interface SubmittedJob {
  /** Vertex resource name (`projects/…/customJobs/…`) or Kubeflow run id. */
  name: string;
  displayName: string;
  state: string;
  /** True when an earlier job for the same data was found and nothing new was started. */
  reused: boolean;
  /** Waited for (`--wait-until-done`) until it succeeded: the folder the trainer wrote its model to (AIP_MODEL_DIR). */
  modelDir?: string;
}
