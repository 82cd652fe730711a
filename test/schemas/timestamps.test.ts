import {
  parseDurationMs,
  parseIsoDate,
  parseIsoInstant,
  resolveDateBound,
  resolveInstantBound,
  toIsoDate,
} from "../../schemas/timestamps";

const T = 978307260000; // 2001-01-01T00:01:00Z

test.each<[string, ReturnType<typeof parseIsoInstant>]>([
  ["2001-01-01T00:01:00Z", { ok: true, ms: T }],
  ["2001-01-01T00:01:00.5Z", { ok: true, ms: T + 500 }],
  ["2001-01-01T02:01:00+02:00", { ok: true, ms: T }],
  ["2000-12-31T23:31:00-00:30", { ok: true, ms: T }],
  ["2001-01-01T05:31:00+0530", { ok: true, ms: T }],
  ["2001-01-01T00:01:00", { ok: false, reason: "no_zone" }],
  ["2001-01-01", { ok: false, reason: "malformed" }],
  ["2001-02-29T00:00:00Z", { ok: false, reason: "malformed" }],
  ["2001-01-01T00:60:00Z", { ok: false, reason: "malformed" }],
  ["2001-01-01T00:00:00+24:00", { ok: false, reason: "malformed" }],
  ["0099-01-01T00:00:00Z", { ok: false, reason: "malformed" }],
])("parseIsoInstant(%s)", (text, expected) => {
  expect(parseIsoInstant(text)).toEqual(expected);
});

test.each<[string, number | undefined]>([
  ["1970-01-01", 0],
  ["2001-01-01", 11323],
  ["2000-02-29", 11016],
  ["2001-02-29", undefined],
  ["2001-1-1", undefined],
])("parseIsoDate(%s)", (text, expected) => {
  expect(parseIsoDate(text)).toBe(expected);
});

test.each<[string, number | undefined]>([
  ["90s", 90_000],
  ["15m", 900_000],
  ["1h", 3_600_000],
  ["1d", 86_400_000],
  ["0h", undefined],
  ["1w", undefined],
])("parseDurationMs(%s)", (text, expected) => {
  expect(parseDurationMs(text)).toBe(expected);
});

test("bounds: numbers, ISO, and relative to the run's clock", () => {
  expect(resolveInstantBound(5, T)).toBe(5);
  expect(resolveInstantBound("1990-01-01T00:00:00Z", T)).toBe(631152000000);
  expect(resolveInstantBound("now+1d", T)).toBe(T + 86_400_000);
  expect(resolveInstantBound("now-2h", T)).toBe(T - 7_200_000);
  expect(resolveInstantBound("1990-01-01", T)).toBeUndefined();
  expect(resolveDateBound("now+1d", T)).toBe(11324);
  expect(resolveDateBound("2001-01-01", T)).toBe(11323);
  expect(toIsoDate(11323)).toBe("2001-01-01");
});
