import { loadContract } from "../../schemas/load";
import { canonicalDecimal, normalizeEvent, renderEvent, toIsoUtc } from "../../transforms/normalize";
import { FIXTURE_SCHEMAS } from "../schemas/golden";

const flights = loadContract("flights");
const clicks = loadContract("clicks", { dir: FIXTURE_SCHEMAS });
const FLIGHT = { event_id: " e1 ", date: 978307260000, delay: 33, distance: 2176, origin: "LAS", destination: "PHL" };

describe("normalizeEvent", () => {
  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["a validated event is unchanged (strings are not trimmed)", {}, {}],
    ["a Date becomes epoch ms", { date: new Date(978307260000) }, {}],
    ["an offset ISO instant becomes epoch ms", { date: "2001-01-01T02:01:00+02:00" }, {}],
    ["fields come out in schema order, unknown ones dropped", { extra: 1 }, {}],
  ])("%s", (_name, overrides, expected) => {
    const normalized = normalizeEvent(flights, { ...FLIGHT, ...overrides });
    expect(normalized).toEqual({ ...FLIGHT, ...expected });
    expect(Object.keys(normalized)).toEqual(flights.fields.map((f) => f.name));
  });

  test("is idempotent", () => {
    const once = normalizeEvent(flights, { ...FLIGHT, date: "2001-01-01T00:01:00Z" });
    expect(normalizeEvent(flights, once)).toEqual(once);
  });

  test("nested values: dates to days, decimals to the schema's scale", () => {
    const event = {
      device: { os: "ios", screen_width: null },
      experiments: [],
      price: "012.5",
      day: "2001-01-01",
      ts: 1,
    };
    expect(normalizeEvent(clicks, event)).toMatchObject({
      price: "12.50",
      day: 11323,
      device: { os: "ios", screen_width: null },
    });
  });
});

describe("renderEvent", () => {
  test("timestamps as ISO-8601 UTC, dates as YYYY-MM-DD", () => {
    expect(renderEvent(flights, FLIGHT).date).toBe("2001-01-01T00:01:00.000Z");
    expect(renderEvent(clicks, { ts: 978307260000, day: 11323, referrer: null })).toMatchObject({
      ts: "2001-01-01T00:01:00.000Z",
      day: "2001-01-01",
      referrer: null,
    });
  });

  test("toIsoUtc", () => {
    expect(toIsoUtc(978307260000)).toBe("2001-01-01T00:01:00.000Z");
  });
});

test.each([
  ["12.5", 2, "12.50"],
  ["012.50", 2, "12.50"],
  ["-0", 2, "0.00"],
  ["-0.01", 2, "-0.01"],
  ["7", 0, "7"],
  ["000", 0, "0"],
  ["not a number", 2, "not a number"],
])("canonicalDecimal(%s, %d) = %s", (text, scale, expected) => {
  expect(canonicalDecimal(text, scale)).toBe(expected);
});
