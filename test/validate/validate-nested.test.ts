import { loadContract } from "../../schemas/load";
import { validateRecord } from "../../transforms/validate";
import { FIXTURE_SCHEMAS } from "../schemas/golden";
import { decodedOf, expectDead, NOW_MS } from "./helpers";

// A second event type, loaded from a fixture: nested records, arrays of records, enums and logical types
// are validated with no code specific to it.
const clicks = loadContract("clicks", { dir: FIXTURE_SCHEMAS });
const GOOD = {
  click_id: "c1",
  ts: "2001-01-01T00:01:00Z",
  user: "u1",
  page: "/home",
  device: { os: "ios" },
  experiments: [
    { code: "layout-1", variant: "control" },
    { code: "price-2", variant: "treatment" },
    { code: "color-3", variant: "control" },
  ],
};
const EXPECTED = {
  ...GOOD,
  ts: 978307260000,
  device: { os: "ios", screen_width: null },
  tags: [],
  price: null,
  day: null,
  received_at: null,
  referrer: null,
};

function validate(overrides: Record<string, unknown>, textual = false) {
  return validateRecord(clicks, decodedOf({ ...GOOD, ...overrides }, textual), NOW_MS);
}

function experimentsWith(index: number, change: Record<string, unknown>) {
  return GOOD.experiments.map((e, i) => (i === index ? { ...e, ...change } : e));
}

describe("good clicks", () => {
  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["absent fields take their Avro defaults", {}, {}],
    [
      "nested nullable field set",
      { device: { os: "web", screen_width: 1280 } },
      { device: { os: "web", screen_width: 1280 } },
    ],
    ["array of strings", { tags: ["a", "b"] }, { tags: ["a", "b"] }],
    ["decimal as text", { price: "12.5" }, { price: "12.5" }],
    ["decimal as a number", { price: 12.34 }, { price: "12.34" }],
    ["date as YYYY-MM-DD → days", { day: "2001-01-01" }, { day: 11323 }],
    ["date as a Date → its UTC day", { day: new Date("2001-01-01T23:59:00Z") }, { day: 11323 }],
    ["timestamp-micros number → ms", { received_at: 978307260000123 }, { received_at: 978307260000 }],
    ["a reused named record", { referrer: { os: "android" } }, { referrer: { os: "android", screen_width: null } }],
  ])("%s", (_name, overrides, expected) => {
    expect(validate(overrides)).toEqual({ ok: true, value: { ...EXPECTED, ...expected } });
  });
});

describe("bad clicks: the path names the nested field", () => {
  test.each<[string, Record<string, unknown>, string, string]>([
    ["device missing", { device: undefined }, "missing_field", "device: required field is missing"],
    ["device not a record", { device: "ios" }, "wrong_type", 'device: expected a record (got "ios")'],
    [
      "device.os not allowed",
      { device: { os: "windows" } },
      "constraint.oneOf",
      'device.os: must be one of android, ios, web (got "windows")',
    ],
    [
      "device.screen_width 0",
      { device: { os: "ios", screen_width: 0 } },
      "constraint.min",
      "device.screen_width: must be >= 1 (got 0)",
    ],
    ["experiments not an array", { experiments: {} }, "wrong_type", "experiments: expected an array (got {})"],
    [
      "experiments[2].code",
      { experiments: experimentsWith(2, { code: "Bad" }) },
      "constraint.pattern",
      'experiments[2].code: must match ^[a-z]+-[0-9]+$ (got "Bad")',
    ],
    [
      "experiments[1].variant (enum)",
      { experiments: experimentsWith(1, { variant: "x" }) },
      "constraint.oneOf",
      "experiments[1].variant: must be one of control, treatment",
    ],
    ["experiments[0] null", { experiments: [null] }, "missing_field", "experiments[0]: must not be null"],
    [
      "tags[1] too long",
      { tags: ["ok", "x".repeat(17)] },
      "constraint.maxLength",
      "tags[1]: length must be <= 16 (got 17)",
    ],
    [
      "decimal too wide",
      { price: "123456789.00" },
      "wrong_type",
      'price: does not fit decimal(10,2) (got "123456789.00")',
    ],
    ["decimal too precise", { price: 1.234 }, "wrong_type", "price: does not fit decimal(10,2) (got 1.234)"],
    ["decimal as words", { price: "ten" }, "wrong_type", 'price: expected decimal (got "ten")'],
    [
      "date out of calendar",
      { day: "2001-13-01" },
      "invalid_date",
      'day: expected a YYYY-MM-DD date (got "2001-13-01")',
    ],
    ["fractional day count", { day: 1.5 }, "invalid_date", "day: day count must be an integer"],
  ])("%s", (_name, overrides, errorClass, message) => {
    expectDead(validate(overrides), errorClass, message);
  });
});
