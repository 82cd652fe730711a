import { jensenShannon, lInfinity } from "../../transforms/monitor/divergence";
import { categoryDrift, numericDrift, numberOf, predictionDrift } from "../../transforms/monitor/drift";
import { deadLetterRates, volumeChange } from "../../transforms/monitor/quality";
import { DEFAULT_THRESHOLDS, driftThresholdOf, severityOf, withThresholds } from "../../transforms/monitor/thresholds";
import { alertEntry } from "../../transforms/monitor/alert-entry";
import type { ModelCard, NumericBaseline } from "../../transforms/score/model-card";

const t = DEFAULT_THRESHOLDS;

describe("Jensen–Shannon divergence (bits) of histograms on the same bins", () => {
  test.each([
    ["identical", [1, 2, 3], [1, 2, 3], 0],
    ["same shares, other totals", [1, 2, 3], [10, 20, 30], 0],
    ["disjoint", [5, 0], [0, 7], 1],
    ["half overlapping", [1, 1, 0], [0, 1, 1], 0.5],
    // 0.5·(0.5·log2(0.5/0.25) ) + … by hand: p=(1,0), q=(.5,.5), m=(.75,.25)
    [
      "one bin against two",
      [1, 0],
      [1, 1],
      0.5 * Math.log2(1 / 0.75) + 0.5 * (0.5 * Math.log2(0.5 / 0.75) + 0.5 * Math.log2(2)),
    ],
  ])("%s", (_name, p, q, expected) => {
    expect(jensenShannon(p, q)).toBeCloseTo(expected, 12);
  });

  test.each([
    ["bins differ in number", [1, 2], [1, 2, 3]],
    ["nothing on one side", [0, 0], [1, 2]],
    ["no bins", [], []],
  ])("undefined (NaN) when %s", (_name, p, q) => {
    expect(jensenShannon(p, q)).toBeNaN();
  });

  test("symmetric", () => {
    expect(jensenShannon([3, 1, 4, 1, 5], [9, 2, 6, 5, 3])).toBeCloseTo(
      jensenShannon([9, 2, 6, 5, 3], [3, 1, 4, 1, 5]),
      15,
    );
  });
});

describe("L-infinity distance of category shares", () => {
  test.each([
    ["identical shares", { a: 1, b: 3 }, { a: 10, b: 30 }, 0],
    ["disjoint", { a: 1 }, { b: 1 }, 1],
    ["a category the baseline never saw", { a: 3, b: 1 }, { a: 3, b: 1, c: 4 }, 0.5],
    ["largest of the differences", { a: 5, b: 3, c: 2 }, { a: 2, b: 3, c: 5 }, 0.3],
    ["`__proto__` is a category like any other", JSON.parse('{"__proto__": 1, "x": 1}'), { x: 1 }, 0.5],
  ])("%s", (_name, p, q, expected) => {
    expect(lInfinity(p, q)).toBeCloseTo(expected, 12);
  });

  test("undefined (NaN) when a side counts nothing", () => {
    expect(lInfinity({ a: 1 }, {})).toBeNaN();
  });
});

describe("thresholds", () => {
  test.each([
    [0.3, null],
    [0.31, "WARNING"],
    [0.6, "WARNING"],
    [0.61, "ERROR"],
    [0, null],
  ])("drift %p is %p under the defaults (0.3, 0.6)", (value, severity) => {
    expect(severityOf(value, t.drift, t.driftError)).toBe(severity);
  });

  test("a feature's own threshold wins; its error threshold is never below it", () => {
    const own = withThresholds({
      features: { distance: { threshold: 0.8 }, origin: { threshold: 0.1, errorThreshold: 0.2 } },
    });
    expect(driftThresholdOf(own, "distance")).toEqual({ threshold: 0.8, errorThreshold: 0.8 });
    expect(driftThresholdOf(own, "origin")).toEqual({ threshold: 0.1, errorThreshold: 0.2 });
    expect(driftThresholdOf(own, "hour_of_day")).toEqual({ threshold: 0.3, errorThreshold: 0.6 });
    expect(driftThresholdOf(own, "constructor")).toEqual({ threshold: 0.3, errorThreshold: 0.6 });
  });

  test("undefined settings keep the defaults", () => {
    expect(withThresholds({ drift: undefined, deadLetterRate: 0.01 })).toEqual({ ...t, deadLetterRate: 0.01 });
  });
});

const numeric: NumericBaseline = { kind: "number", rows: 10, missing: 2, edges: [0, 10, 20, 30], counts: [4, 2, 2] };

describe("drift rows of one feature", () => {
  test("numbers: histogram on the baseline's edges (outside values in the end bins), missing apart", () => {
    const rows = numericDrift("distance", numeric, [-5, 1, 9, 12, 19, 25, 99, 10, null, "x"], t);
    expect(rows).toEqual([
      expect.objectContaining({
        feature: "distance",
        metric: "drift.jensen_shannon",
        rows: 8,
        alert: false,
        severity: null,
      }),
      expect.objectContaining({
        feature: "distance",
        metric: "quality.null_rate",
        value: 0.2,
        rows: 10,
        threshold: 0.25,
      }),
    ]);
    // day counts (3 below 10, 3 in [10,20), 2 from 20): against (4, 2, 2)
    expect(rows[0].value).toBeCloseTo(jensenShannon([4, 2, 2], [3, 3, 2]), 15);
  });

  test("a shifted number alerts (0.55: WARNING, below the 0.6 of an ERROR)", () => {
    const [drift] = numericDrift("distance", numeric, [25, 26, 27, 28, 31, 40], t);
    expect(drift).toMatchObject({ metric: "drift.jensen_shannon", alert: true, severity: "WARNING" });
    expect(drift.value).toBeCloseTo(jensenShannon([4, 2, 2], [0, 0, 6]), 15);
  });

  test("categories: L-infinity of the shares; more missing than the baseline plus 5 points alerts", () => {
    const baseline = { kind: "category" as const, rows: 4, missing: 0, counts: { ORD: 2, ATL: 2 } };
    const rows = categoryDrift("origin", baseline, ["ORD", "ORD", "ATL", "SFO", null, undefined], t);
    expect(rows[0]).toMatchObject({ metric: "drift.l_infinity", value: 0.25, rows: 4, alert: false });
    expect(rows[1]).toMatchObject({ metric: "quality.null_rate", value: 2 / 6, threshold: 0.05, severity: "ERROR" });
  });

  test("no values at all: no drift row (nothing to compare), the null rate says it", () => {
    expect(numericDrift("distance", numeric, [null, null], t)).toEqual([
      expect.objectContaining({ metric: "quality.null_rate", value: 1, alert: true }),
    ]);
  });

  test("predictions: drift on the prediction baseline, no null rate (a prediction is never missing)", () => {
    const card = { baseline: { prediction: numeric } } as unknown as ModelCard;
    expect(predictionDrift(card, [1, 2, 3], t).map((r) => [r.feature, r.metric])).toEqual([
      ["prediction", "drift.jensen_shannon"],
    ]);
  });

  test.each([
    [3, 3],
    ["3.5", 3.5],
    [null, null],
    [undefined, null],
    ["", null],
    ["abc", null],
    [true, null],
    [Number.NaN, null],
  ])("numberOf(%p) = %p", (value, expected) => {
    expect(numberOf(value)).toBe(expected);
  });
});

describe("data quality", () => {
  test("dead-letter rate per reason over the records read", () => {
    const rows = deadLetterRates(
      [
        { reason: "validate/constraint.max", records: 60 },
        { reason: "decode/malformed_json", records: 5 },
      ],
      1000,
      t,
    );
    expect(rows.map((r) => [r.feature, r.value, r.severity])).toEqual([
      ["decode/malformed_json", 0.005, null],
      ["validate/constraint.max", 0.06, "WARNING"],
    ]);
    expect(deadLetterRates([{ reason: "x", records: 1 }], 0, t)).toEqual([]);
  });

  test.each([
    [1000, [1000, 1100, 900], 0, null],
    [400, [1000, 1000], 0.6, "WARNING"],
    [0, [1000], 1, "WARNING"],
    [3500, [1000], 2.5, "ERROR"],
  ])("volume %p against trailing %p: change %p (%p)", (rows, trailing, change, severity) => {
    const [row] = volumeChange(rows, trailing, t);
    expect(row.value).toBeCloseTo(change, 12);
    expect(row.severity).toBe(severity);
  });

  test("no trailing days: no volume row", () => {
    expect(volumeChange(10, [], t)).toEqual([]);
  });
});

describe("an alert is a Cloud Logging structured entry", () => {
  const context = {
    model: "flights-delay",
    version: 3,
    table: "flights",
    scope: "day",
    scopeStart: "2001-01-15T00:00:00.000Z",
    runId: "m1",
  };

  test("WARNING or ERROR with the labels; nothing within the threshold", () => {
    const [warn] = numericDrift(
      "distance",
      numeric,
      [1, 2, 3, 4, 15, 16, 25, 26, 27, 28],
      withThresholds({ drift: 0.01 }),
    );
    const entry = alertEntry(warn, context, "2026-12-03T06:00:00.000Z")!;
    expect(entry).toMatchObject({
      severity: "WARNING",
      time: "2026-12-03T06:00:00.000Z",
      "logging.googleapis.com/labels": {
        job: "monitor",
        run_id: "m1",
        model: "flights-delay",
        model_version: "3",
        feature: "distance",
      },
      alert: { feature: "distance", metric: "drift.jensen_shannon", threshold: 0.01 },
    });
    expect(entry.message).toMatch(
      /^flights-delay@3 day 2001-01-15: drift\.jensen_shannon of distance = 0\.\d{4} above 0\.01$/,
    );
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
    const [quiet] = numericDrift("distance", numeric, [1, 2, 3, 4, 15, 16, 25, 26], t);
    expect(alertEntry(quiet, context, "x")).toBeUndefined();
  });
});
