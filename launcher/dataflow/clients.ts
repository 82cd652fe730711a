import { grpcClientOptions } from "../cloud/client-options";
import type { JobMetrics, MetricUpdate } from "../../pipelines/dataflow/job-metrics";
import type {
  GetJobMetricsRequest,
  GetJobRequest,
  LaunchFlexTemplateRequest,
  ListJobMessagesRequest,
  ListJobsRequest,
  UpdateJobRequest,
} from "./requests";

type Dataflow = typeof import("@google-cloud/dataflow");
type ClientOptions = ConstructorParameters<Dataflow["FlexTemplatesServiceClient"]>[0];

/** A Dataflow job as the launcher reports it (a slice of the API's Job). */
export interface JobInfo {
  id: string;
  name: string;
  type?: string;
  currentState?: string;
  currentStateTime?: string;
  createTime?: string;
  labels: Record<string, string>;
}

/** The slice of the Dataflow API the launcher uses: what `apply` takes, so a test can point it at any server. */
export interface DataflowApi {
  launchFlexTemplate(request: LaunchFlexTemplateRequest): Promise<JobInfo | undefined>;
  getJob(request: GetJobRequest): Promise<JobInfo>;
  updateJob(request: UpdateJobRequest): Promise<JobInfo>;
  listJobs(request: ListJobsRequest): Promise<JobInfo[]>;
  listJobMessages(request: ListJobMessagesRequest): Promise<string[]>;
  /** The job's metrics in their REST (JSON) form, as `userCounters` reads them. */
  getJobMetrics(request: GetJobMetricsRequest): Promise<JobMetrics>;
  close(): Promise<void>;
}

/**
 * Where each Dataflow service is served: one `host:port` for all, or one per service (each in-test server serves one;
 * metrics default to the jobs' server).
 */
export type DataflowEndpoint = string | { flexTemplates: string; jobs: string; messages: string; metrics?: string };

/**
 * The real API over `@google-cloud/dataflow`, loaded only here and only when a command sends something. Without an
 * endpoint the clients use Application Default Credentials against dataflow.googleapis.com.
 */
export async function createDataflowApi(endpoint?: DataflowEndpoint): Promise<DataflowApi> {
  // The client library's boundary: its options are google-gax's, not ours to type.
  const options = async (service: keyof Exclude<DataflowEndpoint, string>) =>
    (await grpcClientOptions(
      typeof endpoint === "object" ? (endpoint[service] ?? endpoint.jobs) : endpoint,
    )) as ClientOptions;
  const dataflow: Dataflow = await import("@google-cloud/dataflow");
  const flex = new dataflow.FlexTemplatesServiceClient(await options("flexTemplates"));
  const jobs = new dataflow.JobsV1Beta3Client(await options("jobs"));
  const messages = new dataflow.MessagesV1Beta3Client(await options("messages"));
  const metrics = new dataflow.MetricsV1Beta3Client(await options("metrics"));
  return {
    launchFlexTemplate: async (request) => {
      const [response] = await flex.launchFlexTemplate(request);
      return response.job ? jobInfoOf(response.job) : undefined;
    },
    getJob: async (request) => jobInfoOf((await jobs.getJob(request))[0]),
    updateJob: async (request) => jobInfoOf((await jobs.updateJob(request))[0]),
    listJobs: async (request) => (await jobs.listJobs(request))[0].map(jobInfoOf),
    listJobMessages: async (request) => {
      const [found] = await messages.listJobMessages(request, { autoPaginate: false });
      return found.map((m) => m.messageText ?? "").filter((text) => text !== "");
    },
    getJobMetrics: async (request) => {
      const [answer] = await metrics.getJobMetrics(request);
      return { metrics: (answer.metrics ?? []).map(restMetricUpdate) };
    },
    close: async () => {
      await Promise.all([flex.close(), jobs.close(), messages.close(), metrics.close()]);
    },
  };
}

interface ApiJob {
  id?: string | null;
  name?: string | null;
  type?: unknown;
  currentState?: unknown;
  currentStateTime?: { seconds?: unknown; nanos?: number | null } | null;
  labels?: Record<string, string> | null;
  createTime?: ProtoTime | null;
}

type ProtoTime = { seconds?: unknown; nanos?: number | null };

function jobInfoOf(job: ApiJob): JobInfo {
  const info: JobInfo = { id: job.id ?? "", name: job.name ?? "", labels: { ...job.labels } };
  if (job.type) info.type = String(job.type);
  if (job.currentState) info.currentState = String(job.currentState);
  const stateTime = isoTime(job.currentStateTime);
  if (stateTime) info.currentStateTime = stateTime;
  const createTime = isoTime(job.createTime);
  if (createTime) info.createTime = createTime;
  return info;
}

function isoTime(time: ProtoTime | null | undefined): string | undefined {
  const seconds = Number(time?.seconds ?? 0);
  return seconds > 0 ? new Date(seconds * 1000 + Math.floor((time?.nanos ?? 0) / 1e6)).toISOString() : undefined;
}

/** A gRPC `MetricUpdate` → its REST form: `name` as is, `scalar` (a `google.protobuf.Value`) as plain JSON. */
function restMetricUpdate(update: { name?: unknown; scalar?: unknown }): MetricUpdate {
  const name = update.name as { origin?: string; name?: string; context?: Record<string, string> } | null | undefined;
  return { name: name ?? undefined, scalar: jsonOfValue(update.scalar) };
}

function jsonOfValue(value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== "object") return value;
  const v = value as Record<string, unknown>;
  if (typeof v.numberValue === "number") return v.numberValue;
  if (typeof v.stringValue === "string") return v.stringValue;
  if (typeof v.boolValue === "boolean") return v.boolValue;
  if (v.structValue) {
    const fields = (v.structValue as { fields?: Record<string, unknown> }).fields ?? {};
    return Object.fromEntries(Object.entries(fields).map(([k, inner]) => [k, jsonOfValue(inner)]));
  }
  if (v.listValue) return ((v.listValue as { values?: unknown[] }).values ?? []).map(jsonOfValue);
  return null;
}
