/** `--partition` a day or `--window` an hour's start: the scope's [start, end), and what is refused. */
import { UsageError } from "../../launcher/errors";
import { scopeSpan } from "../../launcher/monitor/monitor-day";

describe("the monitored scope's span", () => {
  test.each([
    [{ partition: "2001-01-12" }, { scope: "day", start: "2001-01-12T00:00:00.000Z", end: "2001-01-13T00:00:00.000Z" }],
    [
      { window: "2001-01-12T23:00:00Z" },
      { scope: "window", start: "2001-01-12T23:00:00.000Z", end: "2001-01-13T00:00:00.000Z" },
    ],
    [
      { window: "2001-01-12T15:00:00.000Z" },
      { scope: "window", start: "2001-01-12T15:00:00.000Z", end: "2001-01-12T16:00:00.000Z" },
    ],
  ])("%j", (flags, span) => expect(scopeSpan(flags)).toEqual(span));

  test.each([
    [{ window: "2001-01-12T15:30:00Z" }, /start of an hour/],
    [{ window: "15:00" }, /start of an hour/],
    [{ window: "2001-01-12T15:00:00Z", partition: "2001-01-12" }, /not both/],
    [{ partition: "2001-13-01" }, /2001-13-01/],
  ])("refuses %j", (flags, message) => {
    expect(() => scopeSpan(flags)).toThrow(UsageError);
    expect(() => scopeSpan(flags)).toThrow(message);
  });
});
