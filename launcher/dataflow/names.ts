import type { JobKind } from "./settings";

/**
 * Dataflow job names match `[a-z]([-a-z0-9]{0,1022}[a-z0-9])?`; labels are lowercase letters, digits, `-` and `_`, at
 * most 63 characters, keys starting with a letter. Everything the launcher names goes through these.
 */
export function toJobName(parts: readonly string[]): string {
  const joined = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-");
  const trimmed = joined.replace(/^[^a-z]+/, "").replace(/-+$/, "");
  return trimmed.slice(0, 1024).replace(/-+$/, "") || "rox";
}

export function toLabelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .slice(0, 63);
}

export function toLabelKey(key: string): string {
  return toLabelValue(key).replace(/^[^a-z]+/, "") || "label";
}

/**
 * A batch job is named per schema, partition and run (`rox-batch-flights-20010101-<run>`), so every run is its own job;
 * a streaming job keeps one name per schema (`rox-stream-flights`): an update must name the job it replaces, and
 * Dataflow refusing a second active job of that name keeps two streams off one subscription.
 */
export function defaultJobName(
  job: JobKind,
  schema: string,
  date: string | undefined,
  runId: string | undefined,
): string {
  if (job === "stream") return toJobName(["rox", "stream", schema]);
  return toJobName(["rox", "batch", schema, ...(date ? [date.replace(/-/g, "")] : []), ...(runId ? [runId] : [])]);
}
