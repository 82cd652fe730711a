import { MissingSettingError } from "../../launcher/cloud/errors";
import type { RoxConfig } from "../../launcher/config";
import { planLaunch } from "../../launcher/dataflow/plan-launch";
import { resolveDataflowSettings } from "../../launcher/dataflow/settings";
import { CronError } from "../../launcher/schedule/cron";
import {
  planSchedule,
  planScheduleUpdate,
  scheduledLaunchBody,
  type ScheduleFlags,
} from "../../launcher/schedule/plan-schedule";
import { resolveScheduleSettings } from "../../launcher/schedule/settings";
import { expectPlanGolden } from "./golden";

const config: RoxConfig = {
  project: "rox-prod",
  region: "europe-west1",
  dataflow: {
    tempLocation: "gs://rox-prod-dataflow/tmp",
    serviceAccountEmail: "rox-workers@rox-prod.iam.gserviceaccount.com",
    parameters: { dataset: "rox_events" },
    batch: { template: "gs://rox-prod-dataflow/templates/batch.json" },
  },
  schedule: { serviceAccountEmail: "rox-scheduler@rox-prod.iam.gserviceaccount.com", timeZone: "Europe/Berlin" },
};
const flags: ScheduleFlags = {
  cron: "0 2 * * *",
  inputTemplate: "gs://rox-prod-events/flights/dt={date}/*.jsonl",
  schema: { name: "flights", version: 1 },
};
const dataflow = () => resolveDataflowSettings("batch", config, {});
const plan = () => planSchedule(resolveScheduleSettings(config, {}), dataflow(), flags);

test("golden: the CreateJob plan", () => expectPlanGolden("schedule-create.json", plan()));
test("golden: the UpdateJob plan sent when the job exists", () =>
  expectPlanGolden("schedule-update.json", planScheduleUpdate(plan())));

test("the body is the batch launch request with {date} left for the entry point, under a fixed job name", () => {
  const launch = planLaunch(
    "batch",
    { ...dataflow(), labels: { "rox-schedule": "rox-batch-flights" } },
    {
      schema: flags.schema,
      input: flags.inputTemplate,
      dateAtRun: true,
      jobName: "rox-batch-flights-scheduled",
    },
  );
  expect(scheduledLaunchBody(plan().request.job)).toEqual({ launchParameter: launch.request.launchParameter });
  expect(launch.request.launchParameter.parameters.input).toBe("gs://rox-prod-events/flights/dt={date}/*.jsonl");
  expect(plan().request.job.httpTarget.uri).toBe(
    "https://dataflow.googleapis.com/v1b3/projects/rox-prod/locations/europe-west1/flexTemplates:launch",
  );
});

test("flags win: time zone, service account, job id", () => {
  const schedule = resolveScheduleSettings(config, {
    timeZone: "America/New_York",
    serviceAccountEmail: "other@rox-prod.iam.gserviceaccount.com",
  });
  const job = planSchedule(schedule, dataflow(), { ...flags, jobId: "nightly-flights" }).request.job;
  expect(job).toMatchObject({
    name: "projects/rox-prod/locations/europe-west1/jobs/nightly-flights",
    timeZone: "America/New_York",
  });
  expect(job.httpTarget.oauthToken.serviceAccountEmail).toBe("other@rox-prod.iam.gserviceaccount.com");
});

test("the zone defaults to Etc/UTC and the account to the workers' one", () => {
  const schedule = resolveScheduleSettings({ ...config, schedule: undefined }, {});
  expect(schedule).toEqual({
    project: "rox-prod",
    region: "europe-west1",
    timeZone: "Etc/UTC",
    serviceAccountEmail: "rox-workers@rox-prod.iam.gserviceaccount.com",
  });
});

test("no service account at all is named before any call", () => {
  const bare = { project: "p", region: "r" };
  expect(() => resolveScheduleSettings(bare, {})).toThrow(MissingSettingError);
  expect(() => resolveScheduleSettings(bare, {})).toThrow(/^missing service account: pass --service-account/);
  expect(() => resolveScheduleSettings({}, {})).toThrow(/^missing project/);
});

test.each([
  [{ ...flags, cron: "0 25 * * *" }, {}, 'cron "0 25 * * *": hour: 25 is outside 0-23'],
  [flags, { timeZone: "Berlin" }, 'unknown time zone "Berlin"'],
])("a schedule that cannot fire is refused before any call: %#", (scheduleFlags, settingsFlags, message) => {
  expect(() => planSchedule(resolveScheduleSettings(config, settingsFlags), dataflow(), scheduleFlags)).toThrow(
    CronError,
  );
  expect(() => planSchedule(resolveScheduleSettings(config, settingsFlags), dataflow(), scheduleFlags)).toThrow(
    message,
  );
});

test("the scheduled launch's parameters are checked against the template like any launch", () => {
  expect(() =>
    planSchedule(resolveScheduleSettings(config, {}), dataflow(), { ...flags, inputTemplate: "/data/{date}.jsonl" }),
  ).toThrow('"input" = "/data/{date}.jsonl" does not match');
});

test("golden: the launch request Dataflow receives on each tick (the body, decoded)", () => {
  const text = JSON.stringify(scheduledLaunchBody(plan().request.job), null, 2);
  expectPlanGolden("schedule-launch-body.json", {
    summary: "the body of schedule-create.json, decoded",
    service: "google.dataflow.v1beta3.FlexTemplatesService",
    method: "LaunchFlexTemplate (REST)",
    request: JSON.parse(text),
  });
});
