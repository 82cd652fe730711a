/** Which hourly windows a streaming job monitors after each micro-batch: closed by the watermark, again after late data. */
import {
  closedWindows,
  EMPTY_WATCH,
  HOUR_MS,
  touchWindows,
  type TouchedHour,
  type WindowWatch,
} from "../../transforms/monitor/window-watch";

const H = (n: number) => Date.UTC(2001, 0, 12, n);
const at = (n: number, minute: number): TouchedHour => ({ hourMs: H(n), latestMs: H(n) + minute * 60_000 });

/** Micro-batches in order, each the hours it touched; the windows due after each. */
function run(batches: TouchedHour[][]): { due: number[][]; watch: WindowWatch } {
  let watch = EMPTY_WATCH;
  const due: number[][] = [];
  for (const touched of batches) {
    const closed = closedWindows(touchWindows(watch, touched));
    due.push(closed.due);
    watch = closed.watch;
  }
  return { due, watch };
}

describe("the stream's window watch", () => {
  test.each<[string, TouchedHour[][], number[][], number[]]>([
    ["one open window: nothing due", [[at(14, 10)], [at(14, 50)]], [[], []], [H(14)]],
    ["the next hour's first event closes the window", [[at(14, 59)], [at(15, 0)]], [[], [H(14)]], [H(15)]],
    [
      "a batch spanning hours closes all before its latest",
      [[at(13, 5), at(14, 5), at(16, 1)]],
      [[H(13), H(14)]],
      [H(16)],
    ],
    ["an empty hour is not a window to monitor", [[at(13, 5)], [at(16, 5)]], [[], [H(13)]], [H(16)]],
    [
      "late data in a monitored window makes it due again",
      [[at(14, 5)], [at(15, 5)], [at(14, 40), at(15, 20)]],
      [[], [H(14)], [H(14)]],
      [H(15)],
    ],
    ["late data does not move the watermark back", [[at(16, 5)], [at(14, 5)]], [[], [H(14)]], [H(16)]],
    ["a batch with no scored events changes nothing", [[at(14, 5)], []], [[], []], [H(14)]],
  ])("%s", (_, batches, due, open) => {
    const result = run(batches);
    expect(result.due).toEqual(due);
    expect(result.watch.pending).toEqual(open);
  });

  test("a window closes at its end exactly, not before", () => {
    const closing = closedWindows(touchWindows(EMPTY_WATCH, [{ hourMs: H(14), latestMs: H(14) + HOUR_MS - 1 }]));
    expect(closing.due).toEqual([]);
    const closed = closedWindows(touchWindows(closing.watch, [{ hourMs: H(15), latestMs: H(15) }]));
    expect(closed.due).toEqual([H(14)]);
  });
});
