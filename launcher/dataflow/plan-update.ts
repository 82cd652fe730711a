import type { Contract } from "../../schemas/contract";
import type { Plan } from "../plan";
import { UpdateIncompatibleError } from "./errors";
import { defaultJobName } from "./names";
import { planLaunch, type LaunchFlags } from "./plan-launch";
import type { LaunchFlexTemplateRequest } from "./requests";
import type { DataflowSettings, JobKind } from "./settings";
import { updateProblems } from "./update-compatibility";

export interface UpdateFlags extends Omit<LaunchFlags, "schema"> {
  /** Old transform name → new name, for transforms renamed since the running job was launched. */
  transformNameMappings?: Record<string, string>;
}

/** The schema the running job was launched with and the one the update brings. */
export interface UpdateContracts {
  previous: Contract;
  next: Contract;
}

/**
 * An in-place update of the running streaming job of the same name: the same launch with `update: true`, so Dataflow
 * carries the job's state over. Refused before anything is sent when the new graph could not take that state over.
 */
export function planUpdate(
  job: JobKind,
  settings: DataflowSettings,
  flags: UpdateFlags,
  contracts: UpdateContracts,
): Plan<LaunchFlexTemplateRequest> {
  const { next } = contracts;
  const jobName = flags.jobName ?? defaultJobName(job, next.name, undefined, undefined);
  if (job === "batch") throw batchUpdateRefused(jobName);
  const problems = updateProblems(contracts.previous, next);
  if (problems.length > 0) {
    throw new UpdateIncompatibleError(
      jobName,
      problems,
      "Drain it (rox jobs drain --job-id <id>) and launch the new version (rox launch stream …)",
    );
  }
  const { transformNameMappings, ...launchFlags } = flags;
  const launch = planLaunch(job, settings, {
    ...launchFlags,
    jobName,
    schema: { name: next.name, version: next.version },
  });
  const mappings =
    transformNameMappings && Object.keys(transformNameMappings).length > 0 ? { transformNameMappings } : {};
  return {
    ...launch,
    summary: `update running ${job} job ${jobName} in place (schema ${next.name} v${contracts.previous.version} → v${next.version})`,
    request: { ...launch.request, launchParameter: { ...launch.request.launchParameter, update: true, ...mappings } },
  };
}

/** Batch jobs have no running state to carry over: one is cancelled and its partition launched again. */
export function batchUpdateRefused(jobName: string): UpdateIncompatibleError {
  return new UpdateIncompatibleError(
    jobName,
    ["batch jobs cannot be updated in place"],
    "Cancel it (rox jobs cancel --job-id <id>) and launch the partition again: a rerun replaces it",
  );
}
