import * as fs from "fs";
import * as path from "path";
import { loadConfig } from "../../launcher/config";
import { monitorSettings } from "../../launcher/monitor/settings";
import { driftThresholdOf, withCardThresholds } from "../../transforms/monitor/thresholds";
import { tempDir } from "../support/temp";

const work = tempDir("monitor-settings");
afterAll(() => work.cleanup());

function config(value: unknown): string {
  const file = path.join(work.dir, `c${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

test("the monitoring section sets the thresholds; a feature's own setting wins over the model spec's", () => {
  const file = config({ monitoring: { drift: 0.1, trailingDays: 14, features: { distance: { threshold: 0.2 } } } });
  const settings = monitorSettings(loadConfig(file));
  expect(settings.trailingDays).toBe(14);
  const t = withCardThresholds(settings.thresholds, [
    { name: "distance", monitor: { threshold: 0.9 } },
    { name: "origin", monitor: { threshold: 0.4, errorThreshold: 0.5 } },
    { name: "hour_of_day" },
  ]);
  expect(driftThresholdOf(t, "distance")).toEqual({ threshold: 0.2, errorThreshold: 0.6 });
  expect(driftThresholdOf(t, "origin")).toEqual({ threshold: 0.4, errorThreshold: 0.5 });
  expect(driftThresholdOf(t, "hour_of_day")).toEqual({ threshold: 0.1, errorThreshold: 0.6 });
  expect(monitorSettings({}).trailingDays).toBe(7);
});

test("the example config's monitoring section loads", () => {
  const example = path.resolve(__dirname, "..", "..", "rox.config.example.json");
  const { thresholds } = monitorSettings(loadConfig(example));
  expect(driftThresholdOf(thresholds, "distance")).toEqual({ threshold: 0.05, errorThreshold: 0.3 });
});

test.each([
  [{ monitoring: { drfit: 0.1 } }, /unknown key "monitoring.drfit".*drift/],
  [{ monitoring: { drift: 0 } }, /"monitoring.drift" must be a number above 0/],
  [{ monitoring: { drift: "0.3" } }, /"monitoring.drift" must be a number above 0/],
  [
    { monitoring: { features: { distance: { treshold: 0.2 } } } },
    /unknown key "monitoring.features.distance.treshold"/,
  ],
  [{ monitoring: { features: { distance: 0.2 } } }, /"monitoring.features.distance" must be an object/],
  [{ monitoring: { trailingDays: 1.5 } }, /"monitoring.trailingDays" must be a positive integer/],
])("config %j is refused", (value, message) => {
  expect(() => loadConfig(config(value))).toThrow(message);
});
