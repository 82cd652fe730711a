import { CloudApiError, failureOfHttpStatus } from "../cloud/errors";
import type { RetryPolicy } from "../cloud/retry";
import type { Plan } from "../plan";
import { callWithRetry, type SubmittedJob } from "./call";
import { checkKubeflowEndpoint } from "./kubeflow-endpoint";
import { KUBEFLOW_SERVICE, RUNS_PATH, type KubeflowRunRequest } from "./kubeflow-plan";

/** How to reach the KFP API: an optional bearer token source (ADC on Google Cloud; never logged). */
export interface KubeflowConnection {
  token?: () => Promise<string | undefined>;
}

interface KubeflowRun {
  run_id?: string;
  display_name?: string;
  state?: string;
}

const ENDED_WITHOUT_MODEL = new Set(["FAILED", "CANCELING", "CANCELED"]);

/**
 * KFP runs have no caller-chosen id, so a run of this data is first looked up by its name (which carries the data's
 * trigger key); one that has not failed is reused, otherwise the planned run is posted.
 */
export async function applyKubeflowRun(
  plan: Plan<KubeflowRunRequest>,
  connection: KubeflowConnection,
  retry?: RetryPolicy,
): Promise<SubmittedJob> {
  const { endpoint, body } = plan.request;
  // Checked again where the token is attached: a plan built elsewhere must not carry it over plain http either.
  if (connection.token) checkKubeflowEndpoint(endpoint, "adc");
  const headers = await requestHeaders(connection);
  const query = runsQuery(body.display_name, body.experiment_id);
  const listed = await callWithRetry(
    KUBEFLOW_SERVICE,
    `GET ${RUNS_PATH}`,
    () => sendJson<{ runs?: KubeflowRun[] }>("GET", `${endpoint}${RUNS_PATH}?${query}`, headers),
    retry,
  );
  const live = (listed.runs ?? []).find(
    (run) => run.display_name === body.display_name && !ENDED_WITHOUT_MODEL.has(run.state ?? ""),
  );
  if (live) return submitted(live, true);
  const run = await callWithRetry(
    KUBEFLOW_SERVICE,
    plan.method,
    () => sendJson<KubeflowRun>("POST", `${endpoint}${RUNS_PATH}`, headers, body),
    retry,
  );
  return submitted(run, false);
}

/** `filter` is a URL-encoded JSON `Filter` message (the API's filter.proto): runs whose name equals this one. */
export function runsQuery(displayName: string, experimentId: string | undefined): string {
  const filter = { predicates: [{ operation: "EQUALS", key: "display_name", string_value: displayName }] };
  const params = new URLSearchParams({ filter: JSON.stringify(filter), page_size: "10" });
  if (experimentId) params.set("experiment_id", experimentId);
  return params.toString();
}

async function requestHeaders(connection: KubeflowConnection): Promise<Record<string, string>> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  const token = await connection.token?.();
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}

export async function sendJson<T>(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const call = `${method} ${new URL(url).pathname}`;
  let response: Response;
  try {
    // A redirect is not followed: the request may carry a token, and the API itself never redirects.
    const json = body === undefined ? undefined : JSON.stringify(body);
    response = await fetch(url, { method, headers, body: json, redirect: "manual" });
  } catch (err) {
    // No answer at all (refused, reset, DNS): worth retrying like a 503.
    throw new CloudApiError(
      "unavailable",
      KUBEFLOW_SERVICE,
      call,
      `${new URL(url).host} did not answer: ${causeOf(err)}`,
      { cause: err },
    );
  }
  const text = await response.text();
  if (response.status >= 300 && response.status < 400) {
    const target = response.headers.get("location") ?? "(no location)";
    const fix = "set train.kubeflow.endpoint to the API's own URL";
    const detail = `HTTP ${response.status} redirect to ${target}, not followed: ${fix}`;
    throw new CloudApiError("failed-precondition", KUBEFLOW_SERVICE, call, detail);
  }
  if (!response.ok)
    throw new CloudApiError(
      failureOfHttpStatus(response.status),
      KUBEFLOW_SERVICE,
      call,
      `HTTP ${response.status}: ${errorText(text)}`,
    );
  return (text ? JSON.parse(text) : {}) as T;
}

/** KFP answers errors as `{error, code, message, details}` (grpc-gateway); plain text from proxies is kept as is. */
function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    return String(parsed.message ?? parsed.error ?? text);
  } catch {
    return text.slice(0, 500);
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(err);
}

function submitted(run: KubeflowRun, reused: boolean): SubmittedJob {
  return {
    name: run.run_id ?? "",
    displayName: run.display_name ?? "",
    state: run.state ?? "RUNTIME_STATE_UNSPECIFIED",
    reused,
  };
}
