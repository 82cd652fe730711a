import { loadContract } from "../../schemas/load";
import { validateRecord } from "../../transforms/validate";
import { decodedOf, expectDead, NOW_MS } from "./helpers";

const flights = loadContract("flights");
const JSON_GOOD = {
  event_id: "e1",
  date: "2001-01-01T00:01:00Z",
  delay: 33,
  distance: 2176,
  origin: "LAS",
  destination: "PHL",
};
const CSV_GOOD = { ...JSON_GOOD, delay: "33", distance: "2176" };
const EXPECTED = { event_id: "e1", date: 978307260000, delay: 33, distance: 2176, origin: "LAS", destination: "PHL" };
const DAY_MS = 86_400_000;

function validate(overrides: Record<string, unknown>, textual = false) {
  const fields: Record<string, unknown> = { ...(textual ? CSV_GOOD : JSON_GOOD), ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete fields[key];
  return validateRecord(flights, decodedOf(fields, textual), NOW_MS);
}

describe("good flights (JSON)", () => {
  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["the contract example", {}, {}],
    ["Z with milliseconds", { date: "2001-01-01T00:01:00.123Z" }, { date: 978307260123 }],
    ["offset +02:00", { date: "2001-01-01T02:01:00+02:00" }, {}],
    ["offset -0500", { date: "2000-12-31T19:01:00-0500" }, {}],
    ["no seconds", { date: "2001-01-01T00:01Z" }, {}],
    ["microseconds are truncated", { date: "2001-01-01T00:01:00.123999Z" }, { date: 978307260123 }],
    ["epoch ms number", { date: 978307260000 }, {}],
    ["a Date (Avro/Parquet decoders)", { date: new Date(978307260000) }, {}],
    ["earliest date", { date: "1990-01-01T00:00:00Z" }, { date: 631152000000 }],
    ["latest date: now+1d", { date: NOW_MS + DAY_MS }, { date: NOW_MS + DAY_MS }],
    ["delay -1440", { delay: -1440 }, { delay: -1440 }],
    ["delay 2880", { delay: 2880 }, { delay: 2880 }],
    ["delay 33.0 is an integer", { delay: 33.0 }, {}],
    ["distance 1", { distance: 1 }, { distance: 1 }],
    ["distance 10000", { distance: 10000 }, { distance: 10000 }],
    ["event_id of 128 chars", { event_id: "x".repeat(128) }, { event_id: "x".repeat(128) }],
    ["event_id of 128 code points (emoji)", { event_id: "😀".repeat(128) }, { event_id: "😀".repeat(128) }],
    ["unknown fields are ignored (and dropped)", { airline: "AA" }, {}],
  ])("%s", (_name, overrides, expected) => {
    expect(validate(overrides)).toEqual({ ok: true, value: { ...EXPECTED, ...expected } });
  });
});

describe("bad flights (JSON)", () => {
  test.each<[string, Record<string, unknown>, string, string]>([
    ["missing origin", { origin: undefined }, "missing_field", "origin: required field is missing"],
    ["null delay", { delay: null }, "missing_field", "delay: must not be null"],
    ["fractional delay", { delay: 33.5 }, "wrong_type", "delay: expected int (got 33.5)"],
    ["delay as a JSON string is not coerced", { delay: "33" }, "wrong_type", 'delay: expected int (got "33")'],
    ["delay beyond int32", { delay: 2 ** 31 }, "wrong_type", "delay: out of int range (got 2147483648)"],
    ["origin as a number", { origin: 123 }, "wrong_type", "origin: expected string (got 123)"],
    ["delay -1441", { delay: -1441 }, "constraint.min", "delay: must be >= -1440 (got -1441)"],
    ["delay 2881", { delay: 2881 }, "constraint.max", "delay: must be <= 2880 (got 2881)"],
    ["distance 0", { distance: 0 }, "constraint.min", "distance: must be >= 1 (got 0)"],
    ["distance 10001", { distance: 10001 }, "constraint.max", "distance: must be <= 10000 (got 10001)"],
    ["empty event_id", { event_id: "" }, "constraint.minLength", "event_id: length must be >= 1 (got 0)"],
    [
      "event_id of 129 chars",
      { event_id: "x".repeat(129) },
      "constraint.maxLength",
      "event_id: length must be <= 128 (got 129)",
    ],
    ["lower-case origin", { origin: "la" }, "constraint.pattern", 'origin: must match ^[A-Z]{3}$ (got "la")'],
    [
      "origin == destination",
      { destination: "LAS" },
      "constraint.notEqual",
      'destination: must differ from origin (both "LAS")',
    ],
    [
      "date before 1990",
      { date: "1989-12-31T23:59:59.999Z" },
      "constraint.min",
      "date: must be >= 1990-01-01T00:00:00.000Z (got 1989-12-31T23:59:59.999Z)",
    ],
    [
      "date after now+1d",
      { date: NOW_MS + DAY_MS + 1 },
      "constraint.max",
      "date: must be <= now+1d = 2026-01-02T00:00:00.000Z (got 2026-01-02T00:00:00.001Z)",
    ],
    [
      "date without a zone",
      { date: "2001-01-01T00:01:00" },
      "invalid_timestamp",
      'date: timestamp needs a zone (Z or ±hh:mm) (got "2001-01-01T00:01:00")',
    ],
    [
      "date as words",
      { date: "yesterday" },
      "invalid_timestamp",
      'date: expected an ISO-8601 instant (got "yesterday")',
    ],
    ["a day that does not exist", { date: "2001-02-30T00:00:00Z" }, "invalid_timestamp", "date: expected an ISO-8601"],
    ["hour 24", { date: "2001-01-01T24:00:00Z" }, "invalid_timestamp", "date: expected an ISO-8601"],
    [
      "epoch ms as a JSON string is not coerced",
      { date: "978307260000" },
      "invalid_timestamp",
      "date: expected an ISO",
    ],
    ["fractional epoch", { date: 978307260000.5 }, "invalid_timestamp", "date: epoch value must be an integer"],
    [
      "an invalid Date",
      { date: new Date(Number.NaN) },
      "invalid_timestamp",
      "date: instant out of range (got Invalid Date)",
    ],
    ["date as a boolean", { date: true }, "wrong_type", "date: expected timestamp (got true)"],
  ])("%s", (_name, overrides, errorClass, message) => {
    expectDead(validate(overrides), errorClass, message);
  });

  test("the dead letter carries the decoded envelope", () => {
    const decoded = decodedOf({ ...JSON_GOOD, origin: "la" });
    const outcome = validateRecord(flights, decoded, NOW_MS);
    expect(outcome.ok ? undefined : outcome.dead.envelope).toBe(decoded.envelope);
  });

  test("a record that is not an object", () => {
    const outcome = validateRecord(flights, decodedOf([] as unknown as Record<string, unknown>), NOW_MS);
    expect(outcome.ok ? undefined : outcome.dead.errorClass).toBe("wrong_type");
  });
});

describe("CSV (textual) flights are coerced", () => {
  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["numbers from text", {}, {}],
    ["epoch ms as text", { date: "978307260000" }, {}],
    ["offset timestamp", { date: "2001-01-01T02:01:00+02:00" }, {}],
    ["padded numbers", { delay: " -12 ", distance: "+5" }, { delay: -12, distance: 5 }],
    ["boundaries", { delay: "2880", distance: "10000" }, { delay: 2880, distance: 10000 }],
  ])("%s", (_name, overrides, expected) => {
    expect(validate(overrides, true)).toEqual({ ok: true, value: { ...EXPECTED, ...expected } });
  });

  test.each<[string, Record<string, unknown>, string, string]>([
    ["fractional delay", { delay: "33.5" }, "wrong_type", 'delay: expected int (got "33.5")'],
    ["delay as words", { delay: "abc" }, "wrong_type", 'delay: expected int (got "abc")'],
    ["empty delay", { delay: "" }, "missing_field", "delay: required field is missing"],
    ["empty event_id", { event_id: "" }, "missing_field", "event_id: required field is missing"],
    ["delay -1441", { delay: "-1441" }, "constraint.min", "delay: must be >= -1440 (got -1441)"],
    ["distance 10001", { distance: "10001" }, "constraint.max", "distance: must be <= 10000 (got 10001)"],
    ["date without a zone", { date: "2001-01-01T00:01:00" }, "invalid_timestamp", "date: timestamp needs a zone"],
    ["a space instead of T", { date: "2001-01-01 00:01:00Z" }, "invalid_timestamp", "date: expected an ISO-8601"],
  ])("%s", (_name, overrides, errorClass, message) => {
    expectDead(validate(overrides, true), errorClass, message);
  });
});
