import { flightEventFeatures, originHourly } from "../../transforms/features/flights";
import { emptyAccumulator, mergeAccumulators } from "../../transforms/features/module";
import { featureModule } from "../../transforms/features";

const at = (iso: string) => Date.parse(iso);

describe("flight event features", () => {
  test.each([
    ["2001-01-01T00:01:00Z", 33, "LAS", "PHL", { hour_of_day: 0, day_of_week: 1, route: "LAS-PHL", is_delayed: true }],
    [
      "2001-01-06T23:59:59Z",
      15,
      "SFO",
      "JFK",
      { hour_of_day: 23, day_of_week: 6, route: "SFO-JFK", is_delayed: false },
    ],
    ["2001-01-07T12:00:00Z", 16, "ORD", "ATL", { hour_of_day: 12, day_of_week: 0, route: "ORD-ATL", is_delayed: true }],
    [
      "2001-03-04T05:00:00Z",
      -12,
      "DEN",
      "SEA",
      { hour_of_day: 5, day_of_week: 0, route: "DEN-SEA", is_delayed: false },
    ],
  ])("%s delay %d %s→%s", (date, delay, origin, destination, expected) => {
    expect(
      flightEventFeatures({ event_id: "x", date: at(date), delay, distance: 100, origin, destination }),
    ).toStrictEqual(expected);
  });
});

describe("origin hourly aggregate", () => {
  const add = (delays: number[]) =>
    delays.reduce((acc, delay) => originHourly.add(acc, { delay }), emptyAccumulator(originHourly));

  test.each([
    [[10], { flights: 1, mean_delay: 10, max_delay: 10, delayed_share: 0 }],
    [[10, 20, -5, 16], { flights: 4, mean_delay: 10.25, max_delay: 20, delayed_share: 0.5 }],
    [[-30, -10], { flights: 2, mean_delay: -20, max_delay: -10, delayed_share: 0 }],
  ])("%j", (delays, expected) => {
    expect(originHourly.finish(add(delays))).toStrictEqual(expected);
  });

  test("merging partials in any grouping gives the same accumulator", () => {
    const delays = [5, 60, -3, 17, 16, 15, 2880, -1440];
    const whole = add(delays);
    for (let cut = 0; cut <= delays.length; cut++) {
      expect(mergeAccumulators(originHourly, add(delays.slice(0, cut)), add(delays.slice(cut)))).toStrictEqual(whole);
    }
  });

  test("an empty accumulator finishes without dividing by zero", () => {
    expect(originHourly.finish(emptyAccumulator(originHourly))).toStrictEqual({
      flights: 0,
      mean_delay: null,
      max_delay: null,
      delayed_share: null,
    });
  });
});

describe("feature module registry", () => {
  test("finds modules by name and names the known ones when it cannot", () => {
    expect(featureModule("flights").windows.origin_hourly).toBe(originHourly);
    expect(featureModule(undefined).eventFeatures({})).toStrictEqual({});
    expect(() => featureModule("nope")).toThrow(/unknown feature module "nope" \(known: flights\)/);
  });
});
