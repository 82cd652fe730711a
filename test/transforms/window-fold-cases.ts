/** Events of a few windows (one before the epoch), a late event, and the local merge of them (`mergeWindowRows`). */
import type { EventRecord } from "../../schemas/contract";
import { loadContract } from "../../schemas/load";
import { partialOfEvent } from "../../transforms/beam/windows";
import { mergeWindowRows } from "../../transforms/window-rows";

export const contract = loadContract("flights");
export const window = contract.features!.windows.find((w) => w.name === "origin_hourly")!;
const NOW_MS = Date.parse("2001-01-03T00:00:00Z");
const UPDATED_AT = new Date(NOW_MS).toISOString();
const ctx = { schema: "flights", window: "origin_hourly", nowMs: NOW_MS };

function flight(id: string, iso: string, origin: string, delay: number): EventRecord {
  return { event_id: id, date: Date.parse(iso), origin, destination: "JFK", delay, distance: 500 };
}

export const onTime = [
  flight("a", "2001-01-02T10:00:00Z", "LAS", 33),
  flight("b", "2001-01-02T10:59:59.999Z", "LAS", 15),
  flight("c", "2001-01-02T10:30:00Z", "LAS", -7),
  flight("d", "2001-01-02T11:00:00Z", "LAS", 16),
  flight("e", "2001-01-02T10:15:00Z", "SFO", 0),
  flight("f", "1969-12-31T23:30:00Z", "ORD", 40),
];
/** Arrives after its window's row was written: it must update that row, not start another. */
export const late = flight("g", "2001-01-02T10:45:00Z", "LAS", 120);

export function localRows(): Record<string, unknown>[] {
  const first = mergeWindowRows(contract, window, onTime.map(partialFor), [], UPDATED_AT);
  const stored = first.map((row) => ({ ...row, start_ms: Date.parse(String(row.window_start)) }));
  const second = mergeWindowRows(contract, window, [partialFor(late)], stored, UPDATED_AT);
  const redone = new Set(second.map((row) => `${row.origin}@${row.window_start}`));
  return [...first.filter((row) => !redone.has(`${row.origin}@${row.window_start}`)), ...second];
}

export function partialFor(event: EventRecord): Record<string, unknown> {
  return partialOfEvent(event, ctx);
}

export const byWindow = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  `${a.origin}@${a.window_start}`.localeCompare(`${b.origin}@${b.window_start}`);
