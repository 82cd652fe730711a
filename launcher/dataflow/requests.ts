/**
 * The Dataflow requests the launcher sends, in the client library's object form (proto field names in lowerCamelCase,
 * which is also their JSON form on the REST API). Only the fields the launcher sets are declared.
 */
import type { DataflowEnvironment } from "./settings";

export interface LaunchFlexTemplateRequest {
  projectId: string;
  location: string;
  launchParameter: LaunchFlexTemplateParameter;
}

export interface LaunchFlexTemplateParameter {
  jobName: string;
  containerSpecGcsPath: string;
  parameters: Record<string, string>;
  environment: FlexTemplateRuntimeEnvironment;
  /** Replace the running job of the same name, keeping its state. */
  update?: boolean;
  /** Old transform name → new, for transforms renamed since the running job was launched. */
  transformNameMappings?: Record<string, string>;
}

export interface FlexTemplateRuntimeEnvironment extends DataflowEnvironment {
  additionalUserLabels: Record<string, string>;
}

export interface GetJobRequest {
  projectId: string;
  location: string;
  jobId: string;
  view: "JOB_VIEW_SUMMARY";
}

/** GetJobMetrics (MetricsV1Beta3; REST `projects.locations.jobs.getMetrics`): the job's counters as of now. */
export interface GetJobMetricsRequest {
  projectId: string;
  location: string;
  jobId: string;
}

export type RequestedJobState = "JOB_STATE_CANCELLED" | "JOB_STATE_DRAINING";

export interface UpdateJobRequest {
  projectId: string;
  location: string;
  jobId: string;
  job: { requestedState: RequestedJobState };
}

export interface ListJobsRequest {
  projectId: string;
  location: string;
  filter: "ACTIVE";
  name: string;
}

export interface ListJobMessagesRequest {
  projectId: string;
  location: string;
  jobId: string;
  minimumImportance: "JOB_MESSAGE_ERROR";
  pageSize: number;
}

/** Fully qualified service names, as in the protos (and in every Plan's `service`). */
export const FLEX_TEMPLATES = "google.dataflow.v1beta3.FlexTemplatesService";
export const JOBS = "google.dataflow.v1beta3.JobsV1Beta3";
export const MESSAGES = "google.dataflow.v1beta3.MessagesV1Beta3";
export const METRICS = "google.dataflow.v1beta3.MetricsV1Beta3";
