import { CronError, parseCron, type CronSpec } from "./cron";
import { wallClockIn, type WallClock } from "./zoned-clock";

const MINUTE = 60_000;
// Long enough for a 29 February across a century year that is not a leap year (2096 → 2104).
const HORIZON_MS = 8.1 * 366 * 24 * 60 * MINUTE;

/**
 * The next `count` instants after `after` at which the cron expression fires in `timeZone` (Cloud Scheduler's
 * semantics for an IANA zone). It walks UTC minutes and reads each one's wall clock, skipping whole hours that cannot
 * match, so daylight-saving changes need no special case: a wall time that does not exist that day does not fire,
 * and each wall time fires at most once (the repeated hour when clocks go back does not fire again).
 */
export function nextFireTimes(cron: string | CronSpec, after: Date, count: number, timeZone = "Etc/UTC"): Date[] {
  const spec = typeof cron === "string" ? parseCron(cron) : cron;
  const wallClock = wallClockIn(timeZone);
  const fires: Date[] = [];
  let lastFired = -1;
  let t = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE;
  while (fires.length < count) {
    if (t - after.getTime() > HORIZON_MS) throw new CronError(`cron "${spec.source}" does not fire within 8 years`);
    const clock = wallClock(t);
    if (!dayMatches(spec, clock) || !spec.hours.has(clock.hour)) {
      t += (60 - clock.minute) * MINUTE;
      continue;
    }
    // Wall clocks run backwards once a year (the repeated hour): a wall time already fired does not fire again.
    const key = (((clock.year * 100 + clock.month) * 100 + clock.day) * 100 + clock.hour) * 100 + clock.minute;
    if (spec.minutes.has(clock.minute) && key > lastFired) {
      fires.push(new Date(t));
      lastFired = key;
    }
    t += MINUTE;
  }
  return fires;
}

function dayMatches(spec: CronSpec, clock: WallClock): boolean {
  if (!spec.months.has(clock.month)) return false;
  const byDate = spec.daysOfMonth.has(clock.day);
  const byWeekday = spec.daysOfWeek.has(clock.weekday);
  return spec.domRestricted && spec.dowRestricted ? byDate || byWeekday : byDate && byWeekday;
}
