/**
 * A streaming Dataflow job's `job_runs` row, from its metrics: `rox jobs status|drain|cancel` of a job `rox` submitted
 * (labels `rox-job=stream`, `rox-schema`, `rox-run`) reads its user counters (`GetJobMetrics`), the run's duplicates
 * tally in BigQuery, and upserts the run's row (`streamRunSummary`): keyed by the run id, so each call for the same
 * job rewrites one row. While the job runs (or drains) the row is `running`; once it is drained, cancelled or done,
 * `finished` (`failed` when it failed). The BigQuery adapter and the pipeline are loaded only when called.
 */
import type { RetryPolicy } from "../cloud/retry";
import { sendPlan } from "../cloud/send-plan";
import type { RunStatus } from "../../transforms/summary";
import type { JobSummary } from "../../transforms/summary";
import type { DataflowApi, JobInfo } from "./clients";
import { planJobMetrics } from "./plan-jobs";
import type { CloudTarget } from "./target";

export interface StreamRunDataset {
  dataset: string;
  location?: string;
  /** bqemulator's REST URL in tests; default BigQuery with Application Default Credentials. */
  apiEndpoint?: string;
}

const ENDED: Record<string, RunStatus> = {
  JOB_STATE_DONE: "finished",
  JOB_STATE_DRAINED: "finished",
  JOB_STATE_CANCELLED: "finished",
  JOB_STATE_UPDATED: "finished",
  JOB_STATE_FAILED: "failed",
};

/** The run's status in `job_runs` from the job's state: ended states as above, any other `running`. */
export function runStatusOf(state: string | undefined): RunStatus {
  return ENDED[state ?? ""] ?? "running";
}

/** The run a job's labels name, when `rox` submitted it as a stream; undefined for any other job. */
export function streamRunOf(job: JobInfo): { runId: string; schema: string } | undefined {
  const { "rox-job": kind, "rox-run": runId, "rox-schema": schema } = job.labels;
  return kind === "stream" && runId && schema ? { runId, schema } : undefined;
}

/** Reads the job's metrics and the tally and upserts its `job_runs` row; undefined for a job not a rox stream. */
export async function recordStreamRun(
  api: DataflowApi,
  target: CloudTarget,
  job: JobInfo,
  where: StreamRunDataset,
  options: { schemasDir?: string; retry?: RetryPolicy; now?: () => number } = {},
): Promise<{ summary: JobSummary; status: RunStatus } | undefined> {
  const run = streamRunOf(job);
  if (!run) return undefined;
  const plan = planJobMetrics(target, job.id);
  const metrics = await sendPlan(plan, () => api.getJobMetrics(plan.request), options.retry);
  const { userCounters } = await import("../../pipelines/dataflow/job-metrics");
  const { streamDuplicatesSql, streamRunSummary } = await import("../../pipelines/dataflow/stream-run-summary");
  const { loadContract } = await import("../../schemas/load");
  const { BigQueryWarehouse } = await import("../../io/gcp/bigquery/bigquery-warehouse");
  const contract = loadContract(run.schema, { dir: options.schemasDir });
  const status = runStatusOf(job.currentState);
  const now = new Date((options.now ?? Date.now)()).toISOString();
  const warehouse = await BigQueryWarehouse.open({ projectId: target.project, ...where });
  try {
    const dataset = `${target.project}.${where.dataset}`;
    const [tally] = await warehouse.query(streamDuplicatesSql(dataset, contract, run.runId));
    const times = {
      runId: run.runId,
      startedAt: job.createTime ?? now,
      finishedAt: status === "running" ? now : (job.currentStateTime ?? now),
    };
    const summary = streamRunSummary(contract, times, userCounters(metrics), Number(tally?.duplicates ?? 0));
    // The owner names the Dataflow job, not this process: no later local run may mark the row abandoned.
    await warehouse.recordRun(summary, status, `dataflow:${job.id}`);
    return { summary, status };
  } finally {
    await warehouse.close();
  }
}
