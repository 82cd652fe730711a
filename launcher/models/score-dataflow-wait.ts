/**
 * `rox score --runner dataflow --wait-until-done`: the submitted scoring job polled to DONE by the very wait of
 * `rox launch batch --wait-until-done` (launcher/dataflow/wait-until-done.ts: one planned GetJob per poll; FAILED or
 * CANCELLED end it with the job's error messages), so the run can be finalized in the same process.
 */
import type { JobInfo } from "../dataflow/clients";
import type { DonePolling } from "../dataflow/wait-until-done";
import type { CloudTarget } from "../dataflow/target";

export interface ScoreJobWait {
  /** `--poll-interval` seconds and `--max-wait` minutes (the launch's defaults when absent). */
  pollSeconds?: number;
  maxWaitMinutes?: number;
  /** `host:port` of the Dataflow API the polls go to (an in-test server); default Google's, with ADC. */
  endpoint?: string;
}

export async function waitForScoreJob(
  target: CloudTarget,
  job: { id: string; name: string; runId: string },
  wait: ScoreJobWait,
): Promise<JobInfo> {
  const { createDataflowApi } = await import("../dataflow/clients");
  const { donePolling, waitUntilDone } = await import("../dataflow/wait-until-done");
  const polling: DonePolling = {
    ...donePolling(wait.pollSeconds, wait.maxWaitMinutes),
    onPoll: (seen, poll) => console.error(`poll ${poll}: ${seen.id} ${seen.currentState ?? "in an unknown state"}`),
  };
  const api = await createDataflowApi(wait.endpoint);
  try {
    const submitted: JobInfo = { id: job.id, name: job.name, labels: { "rox-run": job.runId } };
    return await waitUntilDone(api, target, submitted, polling);
  } finally {
    await api.close();
  }
}
