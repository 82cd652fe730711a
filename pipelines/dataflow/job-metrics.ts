/**
 * A Dataflow job's user counters from its `projects.locations.jobs.getMetrics` answer (`JobMetrics`, v1b3): committed
 * values only (a value whose name context says `tentative: "true"` may still be retried away), summed over the steps
 * that count under the same name, as the Python SDK reads them (apache_beam/runners/dataflow/dataflow_metrics.py:
 * origin `user`, context `tentative`). What `streamRunSummary` takes for the `job_runs` row. Pure.
 */

export interface MetricUpdate {
  name?: { origin?: string; name?: string; context?: Record<string, string> };
  scalar?: unknown;
}

export interface JobMetrics {
  metricTime?: string;
  metrics?: MetricUpdate[];
}

/** User counters by name; values that are not whole numbers are skipped (distributions, gauges). */
export function userCounters(response: JobMetrics): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const update of response.metrics ?? []) {
    const name = update.name;
    if (name?.origin !== "user" || !name.name || name.context?.tentative === "true") continue;
    const value = Number(update.scalar);
    if (typeof update.scalar === "object" || !Number.isSafeInteger(value)) continue;
    counters[name.name] = (counters[name.name] ?? 0) + value;
  }
  return counters;
}
