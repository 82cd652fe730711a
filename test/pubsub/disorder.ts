/** For each delivered event time, how far it lags behind the latest event time delivered before it (0 when in order). */
export function lateness(times: number[]): number[] {
  let latest = -Infinity;
  return times.map((t) => {
    latest = Math.max(latest, t);
    return latest - t;
  });
}
