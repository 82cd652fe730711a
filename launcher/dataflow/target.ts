import { MissingSettingError } from "../cloud/errors";
import type { RoxConfig } from "../config";

/** Where cloud requests go: the project and the region (Dataflow's regional endpoint, Cloud Scheduler's location). */
export interface CloudTarget {
  project: string;
  region: string;
}

/** Flags win over the config file; a missing project or region is reported here, before any client is created. */
export function resolveTarget(config: RoxConfig, flags: { project?: string; region?: string }): CloudTarget {
  const project = flags.project ?? config.project;
  if (!project) throw new MissingSettingError("project", 'pass --project or set "project" in rox.config.json');
  const region = flags.region ?? config.region;
  if (!region) throw new MissingSettingError("region", 'pass --region or set "region" in rox.config.json');
  return { project, region };
}
