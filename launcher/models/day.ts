import { UsageError } from "../errors";
import { checkTimeZone, dayBefore, wallClockIn } from "../schedule/zoned-clock";

/** A `--partition` day: YYYY-MM-DD, a real date. */
export function checkDay(day: string, flag = "partition"): string {
  const time = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day) {
    throw new UsageError(`--${flag} must be a day, YYYY-MM-DD (got "${day}")`);
  }
  return day;
}

/**
 * The day a `--partition` names: YYYY-MM-DD as given, or `yesterday`, the calendar day before `nowMs` on the wall clock
 * of `timeZone` (what a scheduled run after midnight scores; Cloud Scheduler cannot put a date into its request).
 */
export function resolveDay(value: string, nowMs: number, timeZone = "Etc/UTC", flag = "partition"): string {
  if (value !== "yesterday") return checkDay(value, flag);
  checkTimeZone(timeZone);
  return dayBefore(wallClockIn(timeZone)(nowMs));
}
