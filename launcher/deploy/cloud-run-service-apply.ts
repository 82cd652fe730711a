/**
 * Sends the plan of cloud-run-service-plan.ts over the Cloud Run Admin API v2 (the helper of schedule/run-job-apply.ts:
 * JSON over HTTPS, bearer token from ADC): create, and on 409 replace the whole service by PATCH.
 */
import { CloudApiError } from "../cloud/errors";
import type { RetryPolicy } from "../cloud/retry";
import type { Plan } from "../plan";
import { sendToCloudRun, type RunConnection } from "../schedule/run-job-apply";
import {
  CLOUD_RUN_SERVICES,
  planReplaceRunService,
  type CreateRunServiceRequest,
  type ReplaceRunServiceRequest,
} from "./cloud-run-service-plan";

export interface RunServiceResult {
  action: "created" | "replaced";
  /** The long-running operation Cloud Run answered with (not waited for). */
  operation: string;
  /** The plans sent, in order. */
  sent: Plan<CreateRunServiceRequest | ReplaceRunServiceRequest>[];
}

export async function applyRunService(
  plan: Plan<CreateRunServiceRequest>,
  connection: RunConnection,
  retry?: RetryPolicy,
): Promise<RunServiceResult> {
  const { parent, serviceId, service } = plan.request;
  const path = `/v2/${parent}/services?${new URLSearchParams({ serviceId }).toString()}`;
  try {
    const created = await sendToCloudRun(plan.method, "POST", path, service, connection, retry, CLOUD_RUN_SERVICES);
    return { action: "created", operation: created.name ?? "", sent: [plan] };
  } catch (err) {
    if (!(err instanceof CloudApiError && err.failure === "already-exists")) throw err;
  }
  const replace = planReplaceRunService(plan);
  const body = replace.request.service;
  const replaced = await sendToCloudRun(
    replace.method,
    "PATCH",
    `/v2/${body.name}`,
    body,
    connection,
    retry,
    CLOUD_RUN_SERVICES,
  );
  return { action: "replaced", operation: replaced.name ?? "", sent: [plan, replace] };
}
