import { CronError } from "./cron";

/** The wall-clock reading of an instant in a time zone, as cron matches it. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday. */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Reads wall clocks in one IANA time zone (`Europe/Berlin`, `Etc/UTC`) with the runtime's own tz database. */
export function wallClockIn(timeZone: string): (epochMs: number) => WallClock {
  if (timeZone === "UTC" || timeZone === "Etc/UTC") return utcWallClock;
  const format = formatterFor(timeZone);
  return (epochMs) => {
    const parts = Object.fromEntries(format.formatToParts(epochMs).map((p) => [p.type, p.value]));
    const [year, month, day, hour, minute] = [parts.year, parts.month, parts.day, parts.hour, parts.minute].map(Number);
    return { year, month, day, hour, minute, weekday: WEEKDAYS[parts.weekday] };
  };
}

/** Throws CronError for a zone the runtime does not know, so a typo is caught before anything is scheduled. */
export function checkTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const known = formatters.get(timeZone);
  if (known) return known;
  let format: Intl.DateTimeFormat;
  try {
    const fields = {
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    } as const;
    format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", ...fields });
  } catch {
    throw new CronError(`unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin or Etc/UTC)`);
  }
  formatters.set(timeZone, format);
  return format;
}

function utcWallClock(epochMs: number): WallClock {
  const d = new Date(epochMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  };
}

/** The calendar day before a wall-clock date, as `YYYY-MM-DD` (the partition a daily run after midnight processes). */
export function dayBefore(clock: Pick<WallClock, "year" | "month" | "day">): string {
  return new Date(Date.UTC(clock.year, clock.month - 1, clock.day - 1)).toISOString().slice(0, 10);
}
