import { RoxError } from "../../errors/rox-error";

/** Flink's REST API did not answer as documented while the counters of a running job were read. */
export class FlinkRestError extends RoxError {
  readonly kind = "run-failed";
  constructor(message: string) {
    super(message);
    this.name = "FlinkRestError";
  }
}

/**
 * A user counter as Flink's metric system names it: `<operator>.<namespace>_<name>`, the namespace `beam` (the SDK
 * patch `user-metric-labels`). Flink's own metrics never end that way.
 */
const USER_COUNTER = /\.beam_([A-Za-z0-9_]+)$/;

/** Longer than the job server's `metrics.fetcher.update-interval` (job-server.ts) plus a fetch. */
const STORE_REFRESH_MS = 2_000;

interface JobOverview {
  jobs: { jid: string; name: string; state: string }[];
}
interface JobDetails {
  vertices: { id: string }[];
}

/**
 * The user counters of a Flink job that is still running, summed over its subtasks, from Flink's REST API
 * (`restUrl`). Beam's job server reports a job's metrics only once it has ended, and a streaming job is cancelled, so
 * its counters must be read while it runs. `beamJobId` is the job service's id, `<job name>_<uuid>`; the Flink job
 * carries the job name.
 */
export async function runningJobCounters(restUrl: string, beamJobId: string): Promise<Record<string, number>> {
  const get = async <T>(route: string): Promise<T> => {
    const response = await fetch(`${restUrl}${route}`);
    if (!response.ok) throw new FlinkRestError(`Flink's REST API answered ${response.status} to GET ${route}`);
    return (await response.json()) as T;
  };
  const { jobs } = await get<JobOverview>("/jobs/overview");
  const job = jobs.find((j) => j.state === "RUNNING" && beamJobId.startsWith(`${j.name}_`));
  if (!job) throw new FlinkRestError(`no running Flink job for the Beam job ${beamJobId} at ${restUrl}`);
  const { vertices } = await get<JobDetails>(`/jobs/${job.jid}`);
  // Flink answers metrics from a store that a request only asks to refresh (in the background, at most every
  // `metrics.fetcher.update-interval`): a first pass to refresh it, then the read.
  for (const vertex of vertices) await get(`/jobs/${job.jid}/vertices/${vertex.id}/subtasks/metrics`);
  await new Promise((resolve) => setTimeout(resolve, STORE_REFRESH_MS));
  const counters: Record<string, number> = {};
  for (const vertex of vertices) {
    const route = `/jobs/${job.jid}/vertices/${vertex.id}/subtasks/metrics`;
    for (const { id } of await get<{ id: string }[]>(route)) {
      const name = USER_COUNTER.exec(id)?.[1];
      if (!name) continue;
      const [metric] = await get<{ id: string; sum?: number }[]>(`${route}?get=${encodeURIComponent(id)}&agg=sum`);
      counters[name] = (counters[name] ?? 0) + Number(metric?.sum ?? 0);
    }
  }
  return counters;
}
