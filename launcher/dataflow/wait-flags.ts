import { optionalNumber } from "../args";
import { UsageError } from "../errors";
import type { JobKind } from "./settings";

/** `rox launch`'s flags for waiting on the job, and for training once it is DONE. */
export const WAIT_OPTIONS = {
  wait: { type: "boolean" },
  "wait-until-done": { type: "boolean" },
  "poll-interval": { type: "string" },
  "max-wait": { type: "string" },
  "then-train": { type: "boolean" },
  "train-target": { type: "string" },
  "bigquery-endpoint": { type: "string" },
} as const;

/** The flag values these helpers read (as `parseArgs` returns them). */
export interface WaitFlagValues {
  wait?: boolean;
  "wait-until-done"?: boolean;
  "poll-interval"?: string;
  "max-wait"?: string;
  "then-train"?: boolean;
  "train-target"?: string;
  "bigquery-endpoint"?: string;
  date?: string;
  project?: string;
  region?: string;
  "schemas-dir"?: string;
}

export interface WaitFlags {
  pollSeconds?: number;
  maxWaitMinutes?: number;
}

/** `--wait-until-done` (which `--then-train` needs) as seconds between polls and minutes in all; undefined without it. */
export function checkWaitFlags(job: JobKind, values: WaitFlagValues): WaitFlags | undefined {
  const untilDone = values["wait-until-done"] ?? false;
  if (values["then-train"] && !untilDone)
    throw new UsageError("--then-train needs --wait-until-done: training starts once the job is DONE");
  onlyWith(values, ["train-target"], values["then-train"], "--then-train");
  // The endpoint is where the DONE run is finalized (and trained from): bqemulator in tests.
  onlyWith(values, ["poll-interval", "max-wait", "bigquery-endpoint"], untilDone, "--wait-until-done");
  if (!untilDone) return undefined;
  if (job !== "batch")
    throw new UsageError("--wait-until-done is for batch jobs: a streaming job runs until it is drained");
  if (values.wait) throw new UsageError("pass --wait or --wait-until-done, not both");
  if (values["then-train"] && !values.date)
    throw new UsageError("--then-train needs --date: the partition the job lands is what it trains on");
  const pollSeconds = optionalNumber(values["poll-interval"], "poll-interval");
  const maxWaitMinutes = optionalNumber(values["max-wait"], "max-wait");
  return { pollSeconds, maxWaitMinutes };
}

function onlyWith(
  values: WaitFlagValues,
  flags: readonly ("train-target" | "bigquery-endpoint" | "poll-interval" | "max-wait")[],
  given: boolean | undefined,
  needed: string,
): void {
  for (const flag of flags)
    if (!given && values[flag] !== undefined) throw new UsageError(`--${flag} applies only with ${needed}`);
}
