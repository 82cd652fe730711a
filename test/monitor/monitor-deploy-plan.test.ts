import { MonitoringDeployError } from "../../launcher/monitor/errors";
import { modelThresholds } from "../../launcher/monitor/settings";
import {
  endpointNameOf,
  planMonitoringJob,
  trainingTableOf,
  type MonitoringDeploySettings,
} from "../../launcher/monitor/vertex-monitoring-plan";
import { withThresholds } from "../../transforms/monitor/thresholds";
import { flightsDelayCard } from "./card-fixture";

const PARENT = "projects/p-1/locations/europe-west4";
const settings: MonitoringDeploySettings = {
  ...{ project: "p-1", region: "europe-west4", endpoint: "rox-flights-delay" },
  trainingDataset: { projectId: "p-1", dataset: "events" },
  ...{ intervalHours: 6, sampleRate: 0.5, emails: [], notificationChannels: [] },
};
const card = { ...flightsDelayCard(), version: 3 };
const ref = { name: "flights-delay", alias: "champion" };
const state = (models: [string, string][], monitoringJob?: string) => ({
  name: `${PARENT}/endpoints/rox-flights-delay`,
  deployedModels: models.map(([id, model]) => ({ id, model })),
  ...(monitoringJob ? { monitoringJob } : {}),
});

describe("the endpoint's name", () => {
  test.each([
    ["rox-flights-delay", `${PARENT}/endpoints/rox-flights-delay`],
    ["1234567890", `${PARENT}/endpoints/1234567890`],
    [`projects/other/locations/us-central1/endpoints/9`, `projects/other/locations/us-central1/endpoints/9`],
  ])("%s → %s", (endpoint, name) => {
    expect(endpointNameOf({ ...settings, endpoint })).toBe(name);
  });

  test.each(["Rox_Endpoint", "../endpoints/x", "", "projects/p/locations/r/endpoints/../x"])(
    "%j is refused",
    (endpoint) => {
      expect(() => endpointNameOf({ ...settings, endpoint })).toThrow(MonitoringDeployError);
    },
  );
});

test("the training table is named by model and version, as BigQuery allows", () => {
  expect(trainingTableOf(card)).toBe("rox_training_flights_delay_v3");
});

describe("the monitoring job", () => {
  const t = withThresholds();

  test("one objective per deployed version of the model; other models and the alerts' absence respected", () => {
    const deployed = state([
      ["1", `${PARENT}/models/flights-delay`],
      ["2", `${PARENT}/models/flights-delay@rox-v2`],
      ["3", `${PARENT}/models/flights-delay-2`],
    ]);
    const job = planMonitoringJob(settings, ref, card, t, deployed).request.modelDeploymentMonitoringJob;
    expect(job.modelDeploymentMonitoringObjectiveConfigs.map((c) => c.deployedModelId)).toEqual(["1", "2"]);
    expect(job.modelMonitoringAlertConfig).toEqual({ enableLogging: true });
    expect(job.modelDeploymentMonitoringScheduleConfig).toEqual({ monitorInterval: { seconds: "21600" } });
    expect(job.loggingSamplingStrategy).toEqual({ randomSampleConfig: { sampleRate: 0.5 } });
  });

  test("a threshold in the spec's monitor reaches Vertex AI, and the config's wins over it", () => {
    const specCard = {
      ...card,
      features: card.features.map((f) =>
        f.name === "origin" || f.name === "distance" ? { ...f, monitor: { threshold: 0.1 } } : f,
      ),
    };
    const fromConfig = modelThresholds(
      { thresholds: withThresholds({ features: { distance: { threshold: 0.25 } } }), trailingDays: 7 },
      specCard,
    );
    const job = planMonitoringJob(settings, ref, specCard, fromConfig, state([["1", `${PARENT}/models/flights-delay`]]))
      .request.modelDeploymentMonitoringJob;
    const skew = job.modelDeploymentMonitoringObjectiveConfigs[0].objectiveConfig.trainingPredictionSkewDetectionConfig;
    expect(skew.skewThresholds).toMatchObject({
      origin: { value: 0.1 },
      distance: { value: 0.25 },
      hour_of_day: { value: 0.3 },
    });
    expect(skew.skewThresholds).not.toHaveProperty("day_of_week");
  });

  test("an endpoint with a monitoring job already is refused, naming it", () => {
    const taken = state([["1", `${PARENT}/models/flights-delay`]], `${PARENT}/modelDeploymentMonitoringJobs/5`);
    expect(() => planMonitoringJob(settings, ref, card, t, taken)).toThrow(/modelDeploymentMonitoringJobs\/5/);
  });
});
