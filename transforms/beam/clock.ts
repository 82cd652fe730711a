/**
 * Where a run's DoFns take "now" from (`_ingested_at`, dead-letter timestamps, bounds such as `now+1d`). The shared
 * transforms stay pure and take `now` as an argument; only the Beam wrappers read the clock, through this.
 *
 * - epoch ms: fixed when the graph is built. The local jobs run a bounded graph per chunk or micro-batch, so every
 *   worker sees the same instant and tests are deterministic.
 * - `"live"`: each element takes the processing time when a worker handles it. The Dataflow graphs use it: a
 *   streaming job runs for weeks, and the launch time would stamp every row and bound every event time.
 */
export const LIVE_CLOCK = "live";

export type RunClockMs = number | typeof LIVE_CLOCK;

export function clockNow(clock: RunClockMs): number {
  return clock === LIVE_CLOCK ? Date.now() : clock;
}
