/**
 * Dataflow's own options, which the Flex Template launcher adds to the command line next to the template parameters
 * (the job's project, region, name, temp and staging locations, worker image, network, …; the Python launcher spells
 * them in snake_case). The entry point passes them through to the runner, camelCased as the Beam TS SDK names its
 * options (`temp_location` → `tempLocation`). A name that is neither a template parameter nor listed here is refused,
 * so a typo fails the launch instead of being ignored; if Google adds a launcher option, add it here.
 */

const DATAFLOW_OPTIONS = [
  "runner",
  "project",
  "region",
  "job_name",
  "temp_location",
  "staging_location",
  "template_location",
  "service_account_email",
  "sdk_container_image",
  "num_workers",
  "max_num_workers",
  "machine_type",
  "worker_machine_type",
  "disk_size_gb",
  "autoscaling_algorithm",
  "zone",
  "worker_region",
  "worker_zone",
  "network",
  "subnetwork",
  "use_public_ips",
  "no_use_public_ips",
  "dataflow_kms_key",
  "labels",
  "experiments",
  "additional_experiments",
  "dataflow_service_options",
  "enable_streaming_engine",
  "streaming",
  "flexrs_goal",
  "update",
  "transform_name_mapping",
  "dataflow_endpoint",
] as const;

/** `temp_location` → `tempLocation`; camelCase names are left as they are. */
export function camelCaseOption(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

const KNOWN = new Set(DATAFLOW_OPTIONS.map(camelCaseOption));

/** True for a Dataflow option in either spelling (`temp_location` or `tempLocation`). */
export function isDataflowOption(name: string): boolean {
  return KNOWN.has(camelCaseOption(name));
}
