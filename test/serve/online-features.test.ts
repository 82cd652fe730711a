/**
 * The pure parts of serving, table-driven: an instance → its event or its problem (index, field path, rule), and an
 * event → its feature row with the training query's point-in-time window rule.
 */
import { readInstance, servingContract, type InstanceProblem } from "../../launcher/serve/instances";
import { loadContract } from "../../schemas/load";
import { loadModelSpec } from "../../schemas/model-spec";
import type { EventRecord } from "../../schemas/contract";
import { onlineFeatureRow, windowKeysOf, type WindowKey } from "../../transforms/score/online-features";

const contract = servingContract(loadContract("flights"), "delay");
const features = loadModelSpec("flights-delay").features;
const NOW = Date.parse("2026-12-03T00:00:00Z");
const flight = { event_id: "f-1", date: "2001-01-10T14:05:00Z", distance: 1744, origin: "LAS", destination: "PHL" };

describe("readInstance", () => {
  test("a raw event without its target → the normalized event and the events table's columns plus features", () => {
    const read = readInstance(contract, flight, 0, NOW);
    expect(read).toStrictEqual({
      event: { ...flight, date: Date.parse(flight.date), delay: null },
      columns: {
        ...flight,
        date: "2001-01-10T14:05:00.000Z",
        delay: null,
        hour_of_day: 14,
        day_of_week: 3,
        route: "LAS-PHL",
        is_delayed: false,
      },
    });
  });

  test("the target is still checked when it is sent", () => {
    expect(readInstance(contract, { ...flight, delay: 99999 }, 2, NOW)).toMatchObject({ index: 2, field: "delay" });
  });

  test.each<[string, unknown, Partial<InstanceProblem>]>([
    ["a bad pattern", { ...flight, origin: "la" }, { field: "origin", rule: "constraint.pattern" }],
    ["a missing field", { ...flight, distance: undefined }, { field: "distance", rule: "missing_field" }],
    ["null where none is allowed", { ...flight, origin: null }, { field: "origin", rule: "missing_field" }],
    ["a wrong type", { ...flight, distance: "1744" }, { field: "distance", rule: "wrong_type" }],
    ["below a minimum", { ...flight, distance: 0 }, { field: "distance", rule: "constraint.min" }],
    ["a time after now+1d", { ...flight, date: "2030-01-01T00:00:00Z" }, { field: "date", rule: "constraint.max" }],
    ["origin = destination", { ...flight, destination: "LAS" }, { field: "destination", rule: "constraint.notEqual" }],
    ["a number", 42, { field: "(record)", rule: "wrong_type" }],
    ["null", null, { field: "(record)", rule: "wrong_type" }],
    ["a list", [flight], { field: "(record)", rule: "wrong_type" }],
  ])("%s → a problem naming the field and the rule", (_name, instance, problem) => {
    expect(readInstance(contract, instance, 7, NOW)).toMatchObject({ index: 7, ...problem });
  });
});

describe("onlineFeatureRow", () => {
  const event: EventRecord = { ...flight, date: Date.parse(flight.date), delay: null };
  const columns = { distance: 1744, hour_of_day: 14, day_of_week: 3, origin: "LAS" };

  test("the window an event needs is its key's window that ended at the event time floored to the hour", () => {
    expect(windowKeysOf(contract, features, event)).toStrictEqual([
      { table: "flights_origin_hourly", keyColumn: "origin", key: "LAS", windowEndMs: Date.parse("2001-01-10T14:00Z") },
    ]);
  });

  test.each<[string, Record<string, unknown> | null, Record<string, unknown>]>([
    [
      "a stored window row",
      { flights: "12", mean_delay: 4.5, max_delay: 30, delayed_share: 0.25 },
      {
        origin_prev_flights: "12",
        origin_prev_mean_delay: 4.5,
        origin_prev_max_delay: 30,
        origin_prev_delayed_share: 0.25,
      },
    ],
    [
      "no row: whenNoWindow where the spec has one, else missing",
      null,
      {
        origin_prev_flights: 0,
        origin_prev_mean_delay: null,
        origin_prev_max_delay: null,
        origin_prev_delayed_share: null,
      },
    ],
  ])("%s", (_name, windowRow, expected) => {
    const asked: WindowKey[] = [];
    const row = onlineFeatureRow(contract, features, event, columns, (key) => (asked.push(key), windowRow));
    expect(row).toStrictEqual({ ...columns, ...expected });
    expect(new Set(asked.map((k) => k.windowEndMs))).toStrictEqual(new Set([Date.parse("2001-01-10T14:00Z")]));
  });
});
