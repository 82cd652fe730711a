import { CronError, parseCron } from "../../launcher/schedule/cron";
import { nextFireTimes } from "../../launcher/schedule/next-fire-times";

const iso = (dates: Date[]) => dates.map((d) => d.toISOString().replace(":00.000Z", "Z"));

describe("nextFireTimes", () => {
  test.each([
    [
      "every 15 minutes",
      "*/15 * * * *",
      "2001-01-01T00:07:00Z",
      "Etc/UTC",
      ["2001-01-01T00:15Z", "2001-01-01T00:30Z", "2001-01-01T00:45Z", "2001-01-01T01:00Z"],
    ],
    [
      "strictly after the start",
      "0 2 * * *",
      "2001-01-01T02:00:00Z",
      "Etc/UTC",
      ["2001-01-02T02:00Z", "2001-01-03T02:00Z", "2001-01-04T02:00Z"],
    ],
    [
      "seconds of the start are ignored",
      "0 2 * * *",
      "2001-01-01T01:59:59.999Z",
      "Etc/UTC",
      ["2001-01-01T02:00Z", "2001-01-02T02:00Z"],
    ],
    [
      "a range with a step",
      "10-30/10 4 * * *",
      "2001-01-01T00:00:00Z",
      "Etc/UTC",
      ["2001-01-01T04:10Z", "2001-01-01T04:20Z", "2001-01-01T04:30Z", "2001-01-02T04:10Z"],
    ],
    [
      "a start with a step runs to the end",
      "50/5 0 * * *",
      "2001-01-01T00:00:00Z",
      "Etc/UTC",
      ["2001-01-01T00:50Z", "2001-01-01T00:55Z", "2001-01-02T00:50Z"],
    ],
    [
      "a list of hours",
      "0 6,18 * * *",
      "2001-01-01T07:00:00Z",
      "Etc/UTC",
      ["2001-01-01T18:00Z", "2001-01-02T06:00Z", "2001-01-02T18:00Z"],
    ],
    [
      "weekdays by name",
      "0 9 * * mon-fri",
      "2001-01-05T10:00:00Z",
      "Etc/UTC",
      ["2001-01-08T09:00Z", "2001-01-09T09:00Z"],
    ],
    ["7 is Sunday", "0 0 * * 7", "2001-01-01T00:00:00Z", "Etc/UTC", ["2001-01-07T00:00Z", "2001-01-14T00:00Z"]],
    [
      "months by name",
      "0 0 1 jan,JUL *",
      "2001-01-01T00:00:00Z",
      "Etc/UTC",
      ["2001-07-01T00:00Z", "2002-01-01T00:00Z"],
    ],
    [
      "both day fields restricted: either matches",
      "0 0 13 * 5",
      "2001-04-01T00:00:00Z",
      "Etc/UTC",
      ["2001-04-06T00:00Z", "2001-04-13T00:00Z", "2001-04-20T00:00Z", "2001-04-27T00:00Z"],
    ],
    [
      "day of week restricted, day of month *: both",
      "0 0 * 2 mon",
      "2001-01-01T00:00:00Z",
      "Etc/UTC",
      ["2001-02-05T00:00Z", "2001-02-12T00:00Z"],
    ],
    [
      "29 February waits for a leap year",
      "0 0 29 2 *",
      "2001-01-01T00:00:00Z",
      "Etc/UTC",
      ["2004-02-29T00:00Z", "2008-02-29T00:00Z"],
    ],
    [
      "the last day of a 31-day month only",
      "0 12 31 * *",
      "2001-04-01T00:00:00Z",
      "Etc/UTC",
      ["2001-05-31T12:00Z", "2001-07-31T12:00Z"],
    ],
    [
      "a zone in winter",
      "0 2 * * *",
      "2001-01-01T00:00:00Z",
      "Europe/Berlin",
      ["2001-01-01T01:00Z", "2001-01-02T01:00Z"],
    ],
    [
      "a zone in summer",
      "0 2 * * *",
      "2001-06-30T12:00:00Z",
      "Europe/Berlin",
      ["2001-07-01T00:00Z", "2001-07-02T00:00Z"],
    ],
    [
      "a half-hour zone",
      "0 0 * * *",
      "2001-01-01T00:00:00Z",
      "Asia/Kolkata",
      ["2001-01-01T18:30Z", "2001-01-02T18:30Z"],
    ],
    [
      "a wall time skipped by spring-forward does not fire that day",
      "30 2 * * *",
      "2021-03-13T00:00:00Z",
      "America/New_York",
      ["2021-03-13T07:30Z", "2021-03-15T06:30Z"],
    ],
    [
      "a wall time repeated by fall-back fires once",
      "30 1 * * *",
      "2021-11-06T12:00:00Z",
      "America/New_York",
      ["2021-11-07T05:30Z", "2021-11-08T06:30Z"],
    ],
    [
      "the repeated hour does not fire again",
      "0 * * * *",
      "2021-11-07T04:30:00Z",
      "America/New_York",
      ["2021-11-07T05:00Z", "2021-11-07T07:00Z", "2021-11-07T08:00Z"],
    ],
  ])("%s: %s from %s in %s", (_name, cron, after, zone, expected) => {
    expect(iso(nextFireTimes(cron, new Date(after), expected.length, zone))).toEqual(expected);
  });
});

describe("parseCron rejects what cannot be a schedule, naming the field", () => {
  test.each([
    ["* * * *", /must have 5 fields .*not 4/],
    ["60 * * * *", /minute: 60 is outside 0-59/],
    ["* 24 * * *", /hour: 24 is outside 0-23/],
    ["* * 0 * *", /day of month: 0 is outside 1-31/],
    ["* * * 13 *", /month: 13 is outside 1-12/],
    ["* * * * 8", /day of week: 8 is outside 0-7/],
    ["a * * * *", /minute: "a" is not a number$/],
    ["* * * foo *", /month: "foo" is not a number or a name/],
    ["*/0 * * * *", /minute: "\*\/0" needs a step of 1 or more/],
    ["*/x * * * *", /minute: "\*\/x" needs a step of 1 or more/],
    ["5-1 * * * *", /minute: range "5-1" runs backwards/],
    ["1-2-3 * * * *", /minute: "1-2-3" is not a valid range/],
    ["0 0 31 2 *", /never fires/],
    ["0 0 30 feb,2 *", /never fires/],
  ])("%s", (cron, message) => {
    expect(() => parseCron(cron)).toThrow(CronError);
    expect(() => parseCron(cron)).toThrow(message);
  });

  test("an unknown time zone is a CronError", () => {
    expect(() => nextFireTimes("0 2 * * *", new Date(0), 1, "Mars/Olympus")).toThrow(
      'unknown time zone "Mars/Olympus"',
    );
  });

  test("31 February with a weekday restriction still fires on that weekday", () => {
    expect(iso(nextFireTimes("0 0 31 2 sun", new Date("2001-02-01T00:00:00Z"), 1))).toEqual(["2001-02-04T00:00Z"]);
  });
});
