const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));

// Date.prototype.toISOString costs about 1 µs, the largest share of rendering a Parquet row; rows of one
// file mostly share their day, so the day part is formatted once and reused while it stays the same.
let cachedDay = Number.NaN;
let cachedDayPrefix = "";

/** Same text as date.toISOString(), or null for an invalid Date (as JSON.stringify renders it). */
export function formatIsoDate(date: Date): string | null {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return null;
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const iso = date.toISOString();
    cachedDayPrefix = iso.slice(0, iso.indexOf("T") + 1);
    cachedDay = day;
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const time = `${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
  return cachedDayPrefix + time;
}
