/**
 * Sends the Cloud Run plans of run-job-plan.ts over the Admin API v2's REST surface (JSON over HTTPS, a bearer token
 * from Application Default Credentials; no Google client library is loaded here). A job that exists is replaced.
 */
import { CloudApiError, failureOfHttpStatus } from "../cloud/errors";
import { withRetry, type RetryPolicy } from "../cloud/retry";
import type { Plan } from "../plan";
import { CLOUD_RUN_JOBS, planReplaceRunJob, type CreateRunJobRequest } from "./run-job-plan";

export interface RunConnection {
  /** `https://run.googleapis.com`, or an in-test server's `http://127.0.0.1:<port>`. */
  endpoint: string;
  token?: () => Promise<string | undefined>;
}

/** What Cloud Run answers a create or a patch with: its long-running operation (not waited for). */
export interface RunJobResult {
  action: "created" | "replaced";
  operation: string;
}

export async function applyRunJob(
  plan: Plan<CreateRunJobRequest>,
  connection: RunConnection,
  retry?: RetryPolicy,
): Promise<RunJobResult> {
  const { parent, jobId, job } = plan.request;
  const query = new URLSearchParams({ jobId }).toString();
  try {
    const created = await sendToCloudRun(plan.method, "POST", `/v2/${parent}/jobs?${query}`, job, connection, retry);
    return { action: "created", operation: created.name ?? "" };
  } catch (err) {
    if (!(err instanceof CloudApiError && err.failure === "already-exists")) throw err;
  }
  const replace = planReplaceRunJob(plan);
  const path = `/v2/${replace.request.job.name}`;
  const replaced = await sendToCloudRun(replace.method, "PATCH", path, replace.request.job, connection, retry);
  return { action: "replaced", operation: replaced.name ?? "" };
}

/** One Admin API v2 call, retried like every cloud call; a failure is a CloudApiError naming `service` and `call`. */
export function sendToCloudRun(
  call: string,
  method: string,
  path: string,
  body: unknown,
  connection: RunConnection,
  retry: RetryPolicy | undefined,
  service = CLOUD_RUN_JOBS,
): Promise<{ name?: string }> {
  return withRetry(async () => {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    const token = await connection.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      const init = { method, headers, body: JSON.stringify(body), redirect: "manual" } as const;
      response = await fetch(`${connection.endpoint}${path}`, init);
    } catch (err) {
      const detail = `${new URL(connection.endpoint).host} did not answer: ${String((err as Error).cause ?? err)}`;
      throw new CloudApiError("unavailable", service, call, detail, { cause: err });
    }
    const text = await response.text();
    if (!response.ok) throw new CloudApiError(failureOfHttpStatus(response.status), service, call, googleError(text));
    return (text ? JSON.parse(text) : {}) as { name?: string };
  }, retry);
}

/** Google APIs answer errors as `{"error": {"code", "message", "status"}}`; anything else is shown as it came. */
function googleError(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    return String(parsed.error?.message ?? text);
  } catch {
    return text.slice(0, 500);
  }
}
