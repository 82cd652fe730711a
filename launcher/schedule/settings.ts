import { MissingSettingError } from "../cloud/errors";
import { configSection, type RoxConfig } from "../config";
import { stringField } from "../dataflow/config-fields";
import { resolveTarget, type CloudTarget } from "../dataflow/target";

/** Where and as whom the Cloud Scheduler job runs. */
export interface ScheduleSettings extends CloudTarget {
  /** The account whose OAuth token Scheduler sends with the launch request (needs Dataflow Developer and actAs on the workers' account). */
  serviceAccountEmail: string;
  /** IANA zone the cron expression is read in. */
  timeZone: string;
}

export interface ScheduleFlags {
  project?: string;
  region?: string;
  serviceAccountEmail?: string;
  timeZone?: string;
}

/** Flags over `schedule` over `dataflow` in the config; the service account is required and named when missing. */
export function resolveScheduleSettings(config: RoxConfig, flags: ScheduleFlags): ScheduleSettings {
  const target = resolveTarget(config, flags);
  const schedule = configSection(config, "schedule");
  const serviceAccountEmail =
    flags.serviceAccountEmail ??
    stringField(schedule, "serviceAccountEmail", "schedule") ??
    stringField(configSection(config, "dataflow"), "serviceAccountEmail", "dataflow");
  if (!serviceAccountEmail)
    throw new MissingSettingError(
      "service account",
      'pass --service-account or set "schedule.serviceAccountEmail" in rox.config.json: Scheduler calls Dataflow as this account',
    );
  return {
    ...target,
    serviceAccountEmail,
    timeZone: flags.timeZone ?? stringField(schedule, "timeZone", "schedule") ?? "Etc/UTC",
  };
}
