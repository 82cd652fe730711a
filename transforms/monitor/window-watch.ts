/**
 * Which hourly windows a streaming job monitors, and when: a window is closed once the job's watermark (the latest
 * event time it has scored) reaches the window's end. A closed window is monitored once; late data that lands in it
 * later marks it again, so its rows are replaced with numbers that include the late events. Windows still open when
 * the job stops are left to `rox monitor --window` (monitoring half an hour against whole trailing hours would alert
 * on volume alone).
 */
export const HOUR_MS = 3_600_000;

/** Hours (their start, epoch ms) with scored events not yet monitored, and the latest event time seen. */
export interface WindowWatch {
  watermarkMs: number;
  pending: number[];
}

/** One hour a micro-batch scored events in, and the latest of those events' times. */
export interface TouchedHour {
  hourMs: number;
  latestMs: number;
}

export const EMPTY_WATCH: WindowWatch = { watermarkMs: Number.NEGATIVE_INFINITY, pending: [] };

/** The watch after a micro-batch: its hours pending, the watermark moved to its latest event. */
export function touchWindows(watch: WindowWatch, touched: TouchedHour[]): WindowWatch {
  const pending = new Set(watch.pending);
  let watermarkMs = watch.watermarkMs;
  for (const { hourMs, latestMs } of touched) {
    pending.add(hourMs);
    watermarkMs = Math.max(watermarkMs, latestMs);
  }
  return { watermarkMs, pending: [...pending].sort((a, b) => a - b) };
}

/** The pending windows the watermark has closed (to monitor now, oldest first) and the watch without them. */
export function closedWindows(watch: WindowWatch): { due: number[]; watch: WindowWatch } {
  const isClosed = (hourMs: number) => hourMs + HOUR_MS <= watch.watermarkMs;
  return {
    due: watch.pending.filter(isClosed),
    watch: { ...watch, pending: watch.pending.filter((h) => !isClosed(h)) },
  };
}
