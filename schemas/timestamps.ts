/**
 * Instants, dates and durations as the contracts use them. Pure: the caller passes the clock (`nowMs`), so a
 * replayed record is judged against the run's clock, not the wall clock of whichever worker handles it.
 */
export const DAY_MS = 86_400_000;

export type InstantParse = { ok: true; ms: number } | { ok: false; reason: "no_zone" | "malformed" };

// Date and time are required; seconds and fraction optional; the zone is captured separately so that a missing one
// gets its own reason: a zoneless instant is ambiguous, not malformed.
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const RELATIVE = /^now([+-]\d+(?:ms|s|m|h|d))$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

/** Parses an ISO-8601 instant that carries `Z` or a numeric offset; fractions beyond milliseconds are truncated. */
export function parseIsoInstant(text: string): InstantParse {
  const m = ISO_INSTANT.exec(text);
  if (!m) return { ok: false, reason: "malformed" };
  if (!m[8]) return { ok: false, reason: "no_zone" };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0));
  const millis = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const offset = offsetMinutes(m[8]);
  if (hour > 23 || minute > 59 || second > 59 || offset === undefined || !isCalendarDay(local, year, month, day)) {
    return { ok: false, reason: "malformed" };
  }
  return { ok: true, ms: local - offset * 60_000 };
}

/** Days since 1970-01-01 for a `YYYY-MM-DD` date, or undefined when it is not a real calendar day. */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = m.slice(1, 4).map(Number);
  const ms = Date.UTC(year, month - 1, day);
  return isCalendarDay(ms, year, month, day) ? ms / DAY_MS : undefined;
}

/** `"2001-01-01T00:01:00.000Z"`: the one rendering of an instant the jobs write. */
export function toIsoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

/** `"2001-01-01"` for days since the epoch. */
export function toIsoDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** Milliseconds in `"90s"`, `"15m"`, `"1h"`, `"1d"`; undefined when not a positive duration. */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]] : 0;
  return ms > 0 ? ms : undefined;
}

/** An instant bound (`rox.min`/`rox.max` of a timestamp) in epoch ms: epoch ms, ISO-8601, or `now±<duration>`. */
export function resolveInstantBound(bound: number | string, nowMs: number): number | undefined {
  if (typeof bound === "number") return bound;
  const relative = RELATIVE.exec(bound);
  if (relative) return nowMs + signedDurationMs(relative[1]);
  const parsed = parseIsoInstant(bound);
  return parsed.ok ? parsed.ms : undefined;
}

/** A date bound in days since the epoch: a day count, `YYYY-MM-DD`, or `now±<duration>` (the day it falls on). */
export function resolveDateBound(bound: number | string, nowMs: number): number | undefined {
  if (typeof bound === "number") return bound;
  const relative = RELATIVE.exec(bound);
  if (relative) return Math.floor((nowMs + signedDurationMs(relative[1])) / DAY_MS);
  return parseIsoDate(bound);
}

function signedDurationMs(signed: string): number {
  const ms = parseDurationMs(signed.slice(1)) ?? 0;
  return signed.startsWith("-") ? -ms : ms;
}

function offsetMinutes(zone: string): number | undefined {
  if (zone.toUpperCase() === "Z") return 0;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
}

// Date.UTC rolls 2001-02-30 over to March; a round trip catches that (and two-digit years, which it maps to 19xx).
function isCalendarDay(ms: number, year: number, month: number, day: number): boolean {
  const date = new Date(ms);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
