import { grpcClientOptions } from "../cloud/client-options";
import type {
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
  labels: Record<string, string>;
}

/** The slice of the Dataflow API the launcher uses: what `apply` takes, so a test can point it at any server. */
export interface DataflowApi {
  launchFlexTemplate(request: LaunchFlexTemplateRequest): Promise<JobInfo | undefined>;
  getJob(request: GetJobRequest): Promise<JobInfo>;
  updateJob(request: UpdateJobRequest): Promise<JobInfo>;
  listJobs(request: ListJobsRequest): Promise<JobInfo[]>;
  listJobMessages(request: ListJobMessagesRequest): Promise<string[]>;
  close(): Promise<void>;
}

/** Where each Dataflow service is served: one `host:port` for all, or one per service (each in-test server serves one). */
export type DataflowEndpoint = string | { flexTemplates: string; jobs: string; messages: string };

/**
 * The real API over `@google-cloud/dataflow`, loaded only here and only when a command sends something. Without an
 * endpoint the clients use Application Default Credentials against dataflow.googleapis.com.
 */
export async function createDataflowApi(endpoint?: DataflowEndpoint): Promise<DataflowApi> {
  // The client library's boundary: its options are google-gax's, not ours to type.
  const options = async (service: keyof Exclude<DataflowEndpoint, string>) =>
    (await grpcClientOptions(typeof endpoint === "object" ? endpoint[service] : endpoint)) as ClientOptions;
  const dataflow: Dataflow = await import("@google-cloud/dataflow");
  const flex = new dataflow.FlexTemplatesServiceClient(await options("flexTemplates"));
  const jobs = new dataflow.JobsV1Beta3Client(await options("jobs"));
  const messages = new dataflow.MessagesV1Beta3Client(await options("messages"));
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
    close: async () => {
      await Promise.all([flex.close(), jobs.close(), messages.close()]);
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
}

function jobInfoOf(job: ApiJob): JobInfo {
  const info: JobInfo = { id: job.id ?? "", name: job.name ?? "", labels: { ...job.labels } };
  if (job.type) info.type = String(job.type);
  if (job.currentState) info.currentState = String(job.currentState);
  const seconds = Number(job.currentStateTime?.seconds ?? 0);
  if (seconds > 0)
    info.currentStateTime = new Date(
      seconds * 1000 + Math.floor((job.currentStateTime?.nanos ?? 0) / 1e6),
    ).toISOString();
  return info;
}
