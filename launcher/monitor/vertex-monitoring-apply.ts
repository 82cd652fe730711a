/**
 * Sends the plans of vertex-monitoring-plan.ts: GetEndpoint and CreateModelDeploymentMonitoringJob with the real
 * @google-cloud/aiplatform clients (loaded lazily here), the training table's query job through the BigQuery adapter
 * (io/gcp/bigquery). Every Vertex AI call is retried like vertex-apply.ts's and fails as a CloudApiError.
 */
import { grpcClientOptions } from "../cloud/client-options";
import type { RetryPolicy } from "../cloud/retry";
import type { Plan } from "../plan";
import { callWithRetry } from "../train/call";
import type {
  CreateMonitoringJobRequest,
  EndpointMonitoringState,
  GetEndpointRequest,
  TrainingTableRequest,
} from "./vertex-monitoring-plan";

export interface MonitoringApi {
  getEndpoint(plan: Plan<GetEndpointRequest>): Promise<EndpointMonitoringState>;
  /** The created job's resource name. */
  createJob(plan: Plan<CreateMonitoringJobRequest>): Promise<string>;
  close(): Promise<void>;
}

/** `endpoint`: an in-test server's host:port; otherwise the region's aiplatform endpoint. */
export async function openMonitoringApi(
  region: string,
  endpoint?: string,
  retry?: RetryPolicy,
): Promise<MonitoringApi> {
  const aiplatform = await import("@google-cloud/aiplatform");
  const base = await grpcClientOptions(endpoint);
  const options = (
    endpoint ? base : { ...base, apiEndpoint: `${region}-aiplatform.googleapis.com` }
  ) as ConstructorParameters<typeof aiplatform.v1.JobServiceClient>[0];
  const endpoints = new aiplatform.v1.EndpointServiceClient(options);
  const jobs = new aiplatform.v1.JobServiceClient(options);
  const call = <T>(plan: Plan, send: () => Promise<T>) => callWithRetry(plan.service, plan.method, send, retry);
  return {
    getEndpoint: (plan) =>
      call(plan, async () => {
        const [found] = await endpoints.getEndpoint(plan.request);
        const job = found.modelDeploymentMonitoringJob ?? "";
        return {
          name: found.name ?? plan.request.name,
          deployedModels: (found.deployedModels ?? []).map((m) => ({ id: m.id ?? "", model: m.model ?? "" })),
          ...(job ? { monitoringJob: job } : {}),
        };
      }),
    createJob: (plan) =>
      call(plan, async () => {
        const request = plan.request as Parameters<typeof jobs.createModelDeploymentMonitoringJob>[0];
        const [job] = await jobs.createModelDeploymentMonitoringJob(request);
        return job.name ?? "";
      }),
    close: async () => {
      await Promise.all([endpoints.close(), jobs.close()]);
    },
  };
}

/** Runs the training table's query job; `apiEndpoint`: a BigQuery stand-in's or emulator's base URL. */
export async function applyTrainingTable(
  plan: Plan<TrainingTableRequest>,
  dataset: string,
  apiEndpoint?: string,
): Promise<void> {
  const { BigQueryJobs } = await import("../../io/gcp/bigquery/bigquery-client");
  const jobs = await BigQueryJobs.connect({ projectId: plan.request.projectId, dataset, apiEndpoint });
  await jobs.run(plan.request.configuration.query.query, "monitor deploy: training table");
}
