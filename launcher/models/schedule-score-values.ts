/** The flags of `rox schedule score`, local and Cloud Run alike. */
export interface ScheduleScoreValues {
  local?: boolean;
  cron?: string;
  model?: string;
  on?: string;
  "time-zone"?: string;
  warehouse?: string;
  store?: string;
  "lock-file"?: string;
  "dry-run"?: boolean;
  "schemas-dir"?: string;
  target?: string;
  project?: string;
  region?: string;
  config?: string;
  image?: string;
  "job-id"?: string;
  "service-account"?: string;
  "job-service-account"?: string;
  dataset?: string;
  location?: string;
  endpoint?: string;
  "run-endpoint"?: string;
  /** `dataflow`: the job's `rox score` runs on Dataflow, waits for it and lands the run (`--wait-until-done`). */
  runner?: string;
  "temp-location"?: string;
  "staging-location"?: string;
  "sdk-container-image"?: string;
  "poll-interval"?: string;
  "max-wait"?: string;
}
