import { UsageError } from "../errors";

/** A `--partition` day: YYYY-MM-DD, a real date. */
export function checkDay(day: string, flag = "partition"): string {
  const time = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day) {
    throw new UsageError(`--${flag} must be a day, YYYY-MM-DD (got "${day}")`);
  }
  return day;
}
