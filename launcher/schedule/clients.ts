import { grpcClientOptions } from "../cloud/client-options";
import type { CreateSchedulerJobRequest, UpdateSchedulerJobRequest } from "./requests";

/** A Scheduler job as the launcher reports it. */
export interface ScheduledJobInfo {
  name: string;
  schedule: string;
  timeZone: string;
  state?: string;
}

/** The slice of Cloud Scheduler the launcher uses: what `applySchedule` takes. */
export interface SchedulerApi {
  createJob(request: CreateSchedulerJobRequest): Promise<ScheduledJobInfo>;
  updateJob(request: UpdateSchedulerJobRequest): Promise<ScheduledJobInfo>;
  close(): Promise<void>;
}

type Scheduler = typeof import("@google-cloud/scheduler");
type ClientOptions = ConstructorParameters<Scheduler["CloudSchedulerClient"]>[0];

/** The real API over `@google-cloud/scheduler`, loaded only here; `endpoint` (`host:port`) for in-test servers. */
export async function createSchedulerApi(endpoint?: string): Promise<SchedulerApi> {
  const options = (await grpcClientOptions(endpoint)) as ClientOptions; // google-gax's options, not ours to type
  const scheduler: Scheduler = await import("@google-cloud/scheduler");
  const client = new scheduler.CloudSchedulerClient(options);
  return {
    createJob: async (request) => jobInfoOf((await client.createJob(request))[0]),
    updateJob: async (request) => jobInfoOf((await client.updateJob(request))[0]),
    close: () => client.close(),
  };
}

function jobInfoOf(job: {
  name?: string | null;
  schedule?: string | null;
  timeZone?: string | null;
  state?: unknown;
}): ScheduledJobInfo {
  const info: ScheduledJobInfo = { name: job.name ?? "", schedule: job.schedule ?? "", timeZone: job.timeZone ?? "" };
  if (job.state) info.state = String(job.state);
  return info;
}
