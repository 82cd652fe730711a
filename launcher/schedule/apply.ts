import { CloudApiError } from "../cloud/errors";
import { DEFAULT_RETRY, type RetryPolicy } from "../cloud/retry";
import { sendPlan } from "../cloud/send-plan";
import type { Plan } from "../plan";
import type { ScheduledJobInfo, SchedulerApi } from "./clients";
import { planScheduleUpdate } from "./plan-schedule";
import type { CreateSchedulerJobRequest } from "./requests";

export interface ScheduleResult {
  action: "created" | "updated";
  job: ScheduledJobInfo;
}

/**
 * Creates the Scheduler job; if one of that name exists, updates it to the plan (schedule, zone, target, retries), so
 * running the same command twice, or with a new cron, leaves exactly one job that matches the plan.
 */
export async function applySchedule(
  api: SchedulerApi,
  plan: Plan<CreateSchedulerJobRequest>,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<ScheduleResult> {
  try {
    return { action: "created", job: await sendPlan(plan, () => api.createJob(plan.request), retry) };
  } catch (err) {
    if (!(err instanceof CloudApiError && err.failure === "already-exists")) throw err;
  }
  const update = planScheduleUpdate(plan);
  return { action: "updated", job: await sendPlan(update, () => api.updateJob(update.request), retry) };
}
