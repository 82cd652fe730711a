/**
 * Sends the Vertex AI plans of vertex-plans.ts with the real @google-cloud/aiplatform clients (loaded lazily here and
 * nowhere else in the models' code): UploadModel waits for its long-running operation.
 */
import { grpcClientOptions } from "../cloud/client-options";
import { callWithRetry } from "../train/call";
import type { RetryPolicy } from "../cloud/retry";
import type { Plan } from "../plan";
import {
  JOB_SERVICE,
  MODEL_SERVICE,
  type CreateBatchPredictionJobRequest,
  type MergeVersionAliasesRequest,
  type UploadModelRequest,
} from "./vertex-plans";

async function options(region: string, endpoint?: string): Promise<Record<string, unknown>> {
  const base = await grpcClientOptions(endpoint);
  return endpoint
    ? (base as Record<string, unknown>)
    : { ...(base as Record<string, unknown>), apiEndpoint: `${region}-aiplatform.googleapis.com` };
}

export async function applyVertexUpload(
  plan: Plan<UploadModelRequest>,
  region: string,
  endpoint?: string,
  retry?: RetryPolicy,
): Promise<{ model: string; versionId: string }> {
  const aiplatform = await import("@google-cloud/aiplatform");
  const client = new aiplatform.v1.ModelServiceClient(
    (await options(region, endpoint)) as ConstructorParameters<typeof aiplatform.v1.ModelServiceClient>[0],
  );
  try {
    return await callWithRetry(
      MODEL_SERVICE,
      plan.method,
      async () => {
        const [operation] = await client.uploadModel(plan.request as Parameters<typeof client.uploadModel>[0]);
        const [response] = await operation.promise();
        return { model: response.model ?? "", versionId: response.modelVersionId ?? "" };
      },
      retry,
    );
  } finally {
    await client.close();
  }
}

export async function applyVertexAliases(
  plan: Plan<MergeVersionAliasesRequest>,
  region: string,
  endpoint?: string,
  retry?: RetryPolicy,
): Promise<{ versionId: string; aliases: string[] }> {
  const aiplatform = await import("@google-cloud/aiplatform");
  const client = new aiplatform.v1.ModelServiceClient(
    (await options(region, endpoint)) as ConstructorParameters<typeof aiplatform.v1.ModelServiceClient>[0],
  );
  try {
    const [model] = await callWithRetry(
      MODEL_SERVICE,
      plan.method,
      () => client.mergeVersionAliases(plan.request),
      retry,
    );
    return { versionId: model.versionId ?? "", aliases: model.versionAliases ?? [] };
  } finally {
    await client.close();
  }
}

export async function applyVertexBatchPrediction(
  plan: Plan<CreateBatchPredictionJobRequest>,
  region: string,
  endpoint?: string,
  retry?: RetryPolicy,
): Promise<{ name: string; state: string }> {
  const aiplatform = await import("@google-cloud/aiplatform");
  const client = new aiplatform.v1.JobServiceClient(
    (await options(region, endpoint)) as ConstructorParameters<typeof aiplatform.v1.JobServiceClient>[0],
  );
  const states = aiplatform.protos.google.cloud.aiplatform.v1.JobState as unknown as Record<number, string>;
  try {
    const [job] = await callWithRetry(
      JOB_SERVICE,
      plan.method,
      () => client.createBatchPredictionJob(plan.request as Parameters<typeof client.createBatchPredictionJob>[0]),
      retry,
    );
    return { name: job.name ?? "", state: typeof job.state === "number" ? states[job.state] : String(job.state ?? "") };
  } finally {
    await client.close();
  }
}
