/** The Cloud Scheduler requests the launcher sends, in the client library's object form (see dataflow/requests.ts). */

export const CLOUD_SCHEDULER = "google.cloud.scheduler.v1.CloudScheduler";

export interface SchedulerJob {
  /** `projects/<p>/locations/<l>/jobs/<id>` */
  name: string;
  description: string;
  schedule: string;
  timeZone: string;
  httpTarget: {
    uri: string;
    httpMethod: "POST";
    headers: Record<string, string>;
    /** The HTTP body, base64 (the JSON form of the proto's `bytes`). */
    body: string;
    oauthToken: { serviceAccountEmail: string; scope: string };
  };
  retryConfig: { retryCount: number };
}

export interface CreateSchedulerJobRequest {
  /** `projects/<p>/locations/<l>` */
  parent: string;
  job: SchedulerJob;
}

export interface UpdateSchedulerJobRequest {
  job: SchedulerJob;
  /** Proto field names of the job that the update replaces. */
  updateMask: { paths: string[] };
}
