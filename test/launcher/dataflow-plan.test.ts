import * as fs from "fs";
import * as path from "path";
import { MissingSettingError } from "../../launcher/cloud/errors";
import { ConfigError, type RoxConfig } from "../../launcher/config";
import { UpdateIncompatibleError } from "../../launcher/dataflow/errors";
import { defaultJobName, toJobName, toLabelKey, toLabelValue } from "../../launcher/dataflow/names";
import { newRunId } from "../../pipelines/run-id";
import { planCancel, planDrain, planFindActiveJob, planJobErrors, planStatus } from "../../launcher/dataflow/plan-jobs";
import { planLaunch, type LaunchFlags } from "../../launcher/dataflow/plan-launch";
import { planUpdate } from "../../launcher/dataflow/plan-update";
import { resolveDataflowSettings } from "../../launcher/dataflow/settings";
import { UsageError } from "../../launcher/errors";
import { TemplateParameterError } from "../../launcher/template/validate-parameters";
import { loadContract } from "../../schemas/load";
import { flightsVersion } from "./flights-versions";
import { expectPlanGolden } from "./golden";
import { tempDir } from "../support/temp";

const temp = tempDir("dataflow-plan");
afterAll(() => temp.cleanup());

const config: RoxConfig = {
  project: "rox-prod",
  region: "europe-west1",
  dataflow: {
    tempLocation: "gs://rox-prod-dataflow/tmp",
    stagingLocation: "gs://rox-prod-dataflow/staging",
    serviceAccountEmail: "rox-workers@rox-prod.iam.gserviceaccount.com",
    subnetwork: "regions/europe-west1/subnetworks/rox",
    maxWorkers: 10,
    labels: { team: "ML Platform", "cost-center": "4711" },
    parameters: { dataset: "rox_events" },
    batch: { template: "gs://rox-prod-dataflow/templates/batch.json", maxWorkers: 20, parameters: { location: "EU" } },
    stream: { template: "gs://rox-prod-dataflow/templates/stream.json", network: "rox-vpc" },
  },
};
const flights = loadContract("flights");
const schema = { name: "flights", version: flights.version };
const batchFlags: LaunchFlags = {
  schema,
  runId: "20010102t020000-3fa2c1",
  input: "gs://rox-prod-events/flights/dt={date}/*.jsonl",
  date: "2001-01-01",
};
const streamFlags: LaunchFlags = {
  schema,
  runId: "20010102t020000-3fa2c1",
  subscription: "projects/rox-prod/subscriptions/flights-stream",
};
const batch = () => resolveDataflowSettings("batch", config, {});
const stream = () => resolveDataflowSettings("stream", config, {});
const target = { project: "rox-prod", region: "europe-west1" };

describe("golden plans (exactly what --dry-run prints and apply sends)", () => {
  test.each([
    ["launch-batch.json", () => planLaunch("batch", batch(), batchFlags)],
    ["launch-stream.json", () => planLaunch("stream", stream(), streamFlags)],
    [
      "update-stream.json",
      () =>
        planUpdate(
          "stream",
          stream(),
          { subscription: streamFlags.subscription, transformNameMappings: { "ingest/decode": "ingest/decode-v2" } },
          { previous: flights, next: flights },
        ),
    ],
    ["status.json", () => planStatus(target, "2001-01-02_02_00_00-1234567890")],
    ["drain.json", () => planDrain(target, "2001-01-02_02_00_00-1234567890")],
    ["cancel.json", () => planCancel(target, "2001-01-02_02_00_00-1234567890")],
    ["find-active-job.json", () => planFindActiveJob(target, "rox-stream-flights")],
    ["job-errors.json", () => planJobErrors(target, "2001-01-02_02_00_00-1234567890")],
  ])("%s", (name, plan) => expectPlanGolden(name, plan()));
});

describe("job names and labels keep to Dataflow's rules", () => {
  const JOB_NAME = /^[a-z]([-a-z0-9]{0,1022}[a-z0-9])?$/;
  test.each([
    [
      ["rox", "batch", "flights", "20010101", "20010102t020000-3fa2c1"],
      "rox-batch-flights-20010101-20010102t020000-3fa2c1",
    ],
    [["rox", "batch", "Click_Events", "x"], "rox-batch-click-events-x"],
    [["9lives", "--a--"], "lives-a"],
    [["", "!!"], "rox"],
  ])("%j → %s", (parts, expected) => {
    expect(toJobName(parts)).toBe(expected);
    expect(expected).toMatch(JOB_NAME);
  });

  test("a batch job is named per partition and run; a streaming job keeps one name per schema", () => {
    expect(defaultJobName("batch", "flights", "2001-01-01", "r1")).toBe("rox-batch-flights-20010101-r1");
    expect(defaultJobName("batch", "flights", undefined, "r1")).toBe("rox-batch-flights-r1");
    expect(defaultJobName("stream", "flights", undefined, "r1")).toBe("rox-stream-flights");
  });

  test("run ids sort by time and fit names and labels", () => {
    const id = newRunId(Date.parse("2001-01-02T02:00:00.123Z"), undefined, () => "3fa2c1");
    expect(id).toBe("20010102t020000-3fa2c1");
    expect(toLabelValue(id)).toBe(id);
    expect(newRunId(0)).toMatch(/^19700101t000000-[0-9a-f]{6}$/);
    const batch = newRunId(Date.parse("2001-01-02T02:00:00Z"), "batch");
    expect(batch).toMatch(/^batch-20010102t020000-[0-9a-f]{6}$/);
    expect(toLabelValue(batch)).toBe(batch);
  });

  test.each([
    ["Team", "ML Platform", "team", "ml-platform"],
    ["9-key", "a.b@c", "key", "a-b-c"],
    ["k", "x".repeat(70), "k", "x".repeat(63)],
  ])("label %s=%s → %s=%s", (key, value, k, v) => {
    expect([toLabelKey(key), toLabelValue(value)]).toEqual([k, v]);
  });
});

describe("parameters are checked against the template's metadata before anything is sent", () => {
  test("unknown, missing and malformed parameters are listed together", () => {
    const settings = { ...batch(), parameters: {} };
    const flags = { ...batchFlags, input: "/local/events.jsonl", date: undefined, parameters: { dryRun: "true" } };
    const error = (() => {
      try {
        planLaunch("batch", settings, flags);
      } catch (e) {
        return e;
      }
    })() as TemplateParameterError;
    expect(error).toBeInstanceOf(TemplateParameterError);
    expect(error.problems).toEqual([
      { kind: "unknown", name: "dryRun" },
      { kind: "mismatch", name: "input", value: "/local/events.jsonl", regex: expect.stringMatching(/^\^gs:/) },
      { kind: "missing", name: "dataset" },
    ]);
  });

  test("a stream launch without a subscription names it", () => {
    expect(() => planLaunch("stream", stream(), { schema })).toThrow('missing required parameter "subscription"');
  });

  test("--param wins over the config's parameters", () => {
    const plan = planLaunch("batch", batch(), {
      ...batchFlags,
      parameters: { dataset: "rox_backfill", replace: "true" },
    });
    expect(plan.request.launchParameter.parameters).toMatchObject({ dataset: "rox_backfill", replace: "true" });
  });

  test("{date} needs --date, and --date must be a date", () => {
    expect(() => planLaunch("batch", batch(), { ...batchFlags, date: undefined })).toThrow(UsageError);
    expect(() => planLaunch("batch", batch(), { ...batchFlags, date: undefined })).toThrow(
      "contains {date}: pass --date YYYY-MM-DD",
    );
    expect(() => planLaunch("batch", batch(), { ...batchFlags, date: "01/01/2001" })).toThrow(
      '--date must be YYYY-MM-DD (got "01/01/2001")',
    );
  });

  test("--metadata checks against another template's metadata (metadata.json or a template spec file)", () => {
    const metadata = {
      name: "older batch",
      parameters: [{ name: "input", regexes: ["^gs://.+"] }, { name: "schema" }, { name: "dataset", isOptional: true }],
    };
    const files = {
      "metadata.json": metadata,
      "spec.json": { image: "europe-docker.pkg.dev/p/rox/launcher:0.9", sdkInfo: { language: "PYTHON" }, metadata },
    };
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(temp.dir, name);
      fs.writeFileSync(file, JSON.stringify(content));
      const settings = resolveDataflowSettings("batch", config, { metadataFile: file });
      expect(() => planLaunch("batch", settings, batchFlags)).toThrow('unknown parameter "location"');
      expect(
        planLaunch("batch", { ...settings, parameters: {} }, batchFlags).request.launchParameter.parameters,
      ).toEqual({
        input: "gs://rox-prod-events/flights/dt=2001-01-01/*.jsonl",
        schema: "flights",
      });
    }
  });
});

describe("settings: flags over the config, and what is missing is named before any call", () => {
  test.each([
    [{}, "project"],
    [{ project: "p" }, "region"],
    [{ project: "p", region: "r" }, "template"],
  ])("config %j lacks %s", (partial, setting) => {
    const error = (() => {
      try {
        resolveDataflowSettings("batch", partial, {});
      } catch (e) {
        return e;
      }
    })() as MissingSettingError;
    expect(error).toBeInstanceOf(MissingSettingError);
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(new RegExp(`^missing ${setting}: pass --`));
  });

  test("flags win over dataflow.<job> which wins over dataflow", () => {
    const settings = resolveDataflowSettings("batch", config, {
      region: "us-central1",
      template: "gs://t/b.json",
      environment: { maxWorkers: 50 },
      labels: { team: "data" },
    });
    expect(settings).toMatchObject({
      project: "rox-prod",
      region: "us-central1",
      template: "gs://t/b.json",
      labels: { team: "data", "cost-center": "4711" },
    });
    expect(settings.environment).toEqual({
      tempLocation: "gs://rox-prod-dataflow/tmp",
      stagingLocation: "gs://rox-prod-dataflow/staging",
      serviceAccountEmail: "rox-workers@rox-prod.iam.gserviceaccount.com",
      subnetwork: "regions/europe-west1/subnetworks/rox",
      maxWorkers: 50,
    });
  });

  test("a malformed config field is a ConfigError naming it", () => {
    expect(() =>
      resolveDataflowSettings(
        "batch",
        { ...config, dataflow: { maxWorkers: "ten", batch: { template: "gs://t/b.json" } } },
        {},
      ),
    ).toThrow(ConfigError);
    expect(() =>
      resolveDataflowSettings(
        "batch",
        { ...config, dataflow: { maxWorkers: "ten", batch: { template: "gs://t/b.json" } } },
        {},
      ),
    ).toThrow('"dataflow.maxWorkers" must be a positive integer');
  });
});

describe("an update is refused when the running job's state could not be carried over", () => {
  const update = (next: typeof flights, job: "batch" | "stream" = "stream") =>
    planUpdate(job, stream(), { subscription: streamFlags.subscription }, { previous: flights, next });
  const refusal = (next: typeof flights, job: "batch" | "stream" = "stream") => {
    try {
      update(next, job);
    } catch (e) {
      return e as UpdateIncompatibleError;
    }
    throw new Error("the update was not refused");
  };

  test("a compatible new version (an optional field with a default) is updated in place", () => {
    const next = flightsVersion(path.join(temp.dir, "v2-compatible"), (s) => {
      s["rox.version"] = 2;
      s.fields.push({ name: "carrier", type: ["null", "string"], default: null });
    });
    const plan = update(next);
    expect(plan.summary).toBe("update running stream job rox-stream-flights in place (schema flights v1 → v2)");
    expect(plan.request.launchParameter).toMatchObject({ jobName: "rox-stream-flights", update: true });
    expect(plan.request.launchParameter.environment.additionalUserLabels["rox-schema-version"]).toBe("2");
  });

  test("a new required field without a default cannot read the events in flight", () => {
    const next = flightsVersion(path.join(temp.dir, "v2-required"), (s) => {
      s["rox.version"] = 2;
      s.fields.push({ name: "carrier", type: "string" });
    });
    const error = refusal(next);
    expect(error).toBeInstanceOf(UpdateIncompatibleError);
    expect(error.reasons).toEqual([expect.stringMatching(/^version 2 cannot read version 1: /)]);
    expect(error.message).toMatch(/Drain it \(rox jobs drain --job-id <id>\) and launch the new version/);
  });

  test("a changed window aggregate cannot take over the running windows", () => {
    const next = flightsVersion(path.join(temp.dir, "v2-window"), (s) => {
      s["rox.features"].windows[0].size = "30m";
    });
    expect(refusal(next).reasons).toEqual(["window aggregate origin_hourly changed its key, size or columns"]);
  });

  test("a batch job is never updated: cancel and relaunch", () => {
    const error = refusal(flights, "batch");
    expect(error.reasons).toEqual(["batch jobs cannot be updated in place"]);
    expect(error.message).toMatch(/Cancel it \(rox jobs cancel --job-id <id>\) and launch the partition again/);
  });
});
