import { resolveDay } from "../models/day";

/**
 * A scheduled launch cannot say which day it is for: Cloud Scheduler sends the same request body every time. Its
 * `input` keeps `{date}`, and the entry point fills in the day before it starts (UTC) — the day that has just closed,
 * which is what a nightly batch run loads. A launch that names its date (`rox launch --date`) has none left to fill.
 */
export function fillScheduledDate(input: string, now: Date): string {
  if (!input.includes("{date}")) return input;
  return input.split("{date}").join(resolveDay("yesterday", now.getTime()));
}
