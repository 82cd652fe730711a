import { alertMessage } from "../../transforms/monitor/alert-message";
import { metricRow } from "../../transforms/monitor/metric-row";

const context = {
  ...{ model: "flights-delay", version: 3, table: "flights", scope: "day" },
  ...{ scopeStart: "2001-01-12T00:00:00.000Z", runId: "monitor-1" },
};
const TIME = "2001-01-13T04:00:00.000Z";
const limits = { threshold: 0.3, errorThreshold: 0.6 };

describe("an alert as a Pub/Sub message", () => {
  test.each([
    ["a WARNING names its threshold", metricRow("distance", "drift.jensen_shannon", 0.4, limits, 50), 0.3],
    ["an ERROR names its error threshold", metricRow("origin", "drift.l_infinity", 0.7, limits, 50), 0.6],
  ])("%s", (_name, row, threshold) => {
    const message = alertMessage(row, context, TIME)!;
    expect(JSON.parse(message.data)).toEqual({
      ...{ model: "flights-delay", version: 3, table: "flights", scope: "day", scopeStart: context.scopeStart },
      ...{ feature: row.feature, metric: row.metric, value: row.value, threshold, severity: row.severity },
      ...{ rows: 50, runId: "monitor-1", time: TIME },
    });
    expect(message.attributes).toEqual({
      ...{ model: "flights-delay", version: "3", table: "flights", scope: "day" },
      ...{ metric: row.metric, severity: row.severity, feature: row.feature },
    });
  });

  test("a table-wide metric has no feature attribute (and null in the body)", () => {
    const row = metricRow(null, "quality.volume_change", 0.9, { threshold: 0.5, errorThreshold: 1 }, 700);
    const message = alertMessage(row, context, TIME)!;
    expect(message.attributes).not.toHaveProperty("feature");
    expect(JSON.parse(message.data)).toMatchObject({ feature: null, severity: "WARNING", threshold: 0.5 });
  });

  test("a value at its threshold is no alert and no message", () => {
    expect(alertMessage(metricRow("distance", "drift.jensen_shannon", 0.3, limits, 50), context, TIME)).toBeUndefined();
  });
});
