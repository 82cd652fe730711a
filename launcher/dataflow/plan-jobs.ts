import type { Plan } from "../plan";
import {
  JOBS,
  MESSAGES,
  METRICS,
  type GetJobMetricsRequest,
  type GetJobRequest,
  type ListJobMessagesRequest,
  type ListJobsRequest,
  type RequestedJobState,
  type UpdateJobRequest,
} from "./requests";
import type { CloudTarget } from "./target";

/** GetJob: the job's state, type, times and labels. */
export function planStatus(target: CloudTarget, jobId: string): Plan<GetJobRequest> {
  return {
    summary: `get the state of Dataflow job ${jobId} in ${target.project}/${target.region}`,
    service: JOBS,
    method: "GetJob",
    request: { projectId: target.project, location: target.region, jobId, view: "JOB_VIEW_SUMMARY" },
  };
}

/** GetJobMetrics: the job's counters (its user counters feed a stream's `job_runs` row). */
export function planJobMetrics(target: CloudTarget, jobId: string): Plan<GetJobMetricsRequest> {
  return {
    summary: `get the metrics of Dataflow job ${jobId} in ${target.project}/${target.region}`,
    service: METRICS,
    method: "GetJobMetrics",
    request: { projectId: target.project, location: target.region, jobId },
  };
}

/** Cancel: stop at once; data in flight is lost (a batch job's partition is rewritten by its next run). */
export function planCancel(target: CloudTarget, jobId: string): Plan<UpdateJobRequest> {
  return requestState(target, jobId, "JOB_STATE_CANCELLED", "cancel Dataflow job");
}

/** Drain: stop reading, finish what was read, then stop; the way to retire a streaming job without losing data. */
export function planDrain(target: CloudTarget, jobId: string): Plan<UpdateJobRequest> {
  return requestState(target, jobId, "JOB_STATE_DRAINING", "drain Dataflow job");
}

/** ListJobs of the active job with this name: the launch that a retried or repeated request already started. */
export function planFindActiveJob(target: CloudTarget, jobName: string): Plan<ListJobsRequest> {
  return {
    summary: `find the active Dataflow job named ${jobName} in ${target.project}/${target.region}`,
    service: JOBS,
    method: "ListJobs",
    request: { projectId: target.project, location: target.region, filter: "ACTIVE", name: jobName },
  };
}

/** ListJobMessages at error importance: what the template launcher (or the job) reported when it failed. */
export function planJobErrors(target: CloudTarget, jobId: string): Plan<ListJobMessagesRequest> {
  return {
    summary: `list the error messages of Dataflow job ${jobId}`,
    service: MESSAGES,
    method: "ListJobMessages",
    request: {
      projectId: target.project,
      location: target.region,
      jobId,
      minimumImportance: "JOB_MESSAGE_ERROR",
      pageSize: 50,
    },
  };
}

function requestState(
  target: CloudTarget,
  jobId: string,
  requestedState: RequestedJobState,
  verb: string,
): Plan<UpdateJobRequest> {
  return {
    summary: `${verb} ${jobId} in ${target.project}/${target.region}`,
    service: JOBS,
    method: "UpdateJob",
    request: { projectId: target.project, location: target.region, jobId, job: { requestedState } },
  };
}
