import * as fs from "fs";
import * as path from "path";
import { ConfigError, loadConfig } from "../../launcher/config";
import { configProblem } from "../../launcher/config-shape";
import { resolveDataflowSettings } from "../../launcher/dataflow/settings";
import { main } from "../../launcher/main";
import { resolveScheduleSettings } from "../../launcher/schedule/settings";
import { readTrainSettings } from "../../launcher/train/settings";
import { tempDir } from "../support/temp";

// rox.config.json is checked against one declaration of its shape: a misspelled key at any level is an error (exit 2)
// naming the key and the nearest valid one, never a setting silently left at its default.
const temp = tempDir("config-shape");
afterAll(() => temp.cleanup());
const EXAMPLE = path.resolve(__dirname, "..", "..", "rox.config.example.json");

/** Every key the shape declares, each with a value of its type. */
const EVERY_KEY = {
  project: "rox-test",
  region: "europe-west1",
  dataflow: {
    tempLocation: "gs://t/temp",
    stagingLocation: "gs://t/staging",
    serviceAccountEmail: "df@rox-test.iam.gserviceaccount.com",
    network: "net",
    subnetwork: "regions/europe-west1/subnetworks/sub",
    machineType: "n1-standard-2",
    numWorkers: 2,
    maxWorkers: 5,
    enableStreamingEngine: false,
    labels: { team: "ml" },
    parameters: { dataset: "rox_events" },
    batch: { template: "gs://t/batch.json", maxWorkers: 7, labels: { job: "b" } },
    stream: { template: "gs://t/stream.json", enableStreamingEngine: true, parameters: { location: "EU" } },
  },
  schedule: { timeZone: "Europe/Berlin", serviceAccountEmail: "sched@rox-test.iam.gserviceaccount.com" },
  train: {
    target: "kubeflow",
    image: "europe-docker.pkg.dev/p/r/t:1",
    machineType: "n1-standard-8",
    args: ["--epochs", "3"],
    serviceAccount: "trainer@rox-test.iam.gserviceaccount.com",
    outputUri: "gs://m/train",
    pipelineTemplate: "gs://m/pipeline.json",
    command: ["node", "trainer.js"],
    localOutputDir: ".rox/t",
    kubeflow: {
      endpoint: "https://kfp.example",
      pipelineId: "p",
      pipelineVersionId: "v",
      experimentId: "e",
      serviceAccount: "sa",
      auth: "adc",
    },
  },
};

const write = (name: string, config: unknown) => {
  const file = path.join(temp.dir, name);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
};
const withKey = (at: string[], key: string, value: unknown) => {
  const config = structuredClone(EVERY_KEY) as Record<string, unknown>;
  let section = config;
  for (const name of at) section = section[name] as Record<string, unknown>;
  section[key] = value;
  return config;
};

test("the example config and a config with every declared key are valid", () => {
  expect(configProblem(JSON.parse(fs.readFileSync(EXAMPLE, "utf8")))).toBeUndefined();
  expect(loadConfig(write("every.json", EVERY_KEY))).toEqual(EVERY_KEY);
});

test("every declared key is read by the settings modules (none is declared and then ignored)", () => {
  const dataflow = resolveDataflowSettings("batch", EVERY_KEY, {});
  const {
    batch: _batch,
    stream: _stream,
    labels: _labels,
    parameters: _parameters,
    ...environment
  } = EVERY_KEY.dataflow;
  expect(dataflow.environment).toEqual({ ...environment, maxWorkers: 7 });
  expect(dataflow.labels).toEqual({ team: "ml", job: "b" });
  expect(resolveDataflowSettings("stream", EVERY_KEY, {}).parameters).toEqual({
    dataset: "rox_events",
    location: "EU",
  });
  expect(resolveScheduleSettings(EVERY_KEY, {})).toMatchObject(EVERY_KEY.schedule);
  const { target: _target, ...train } = EVERY_KEY.train;
  expect(readTrainSettings(EVERY_KEY)).toMatchObject({ ...train, target: "kubeflow" });
});

test.each<[string, string[], string, string]>([
  ["top level", [], "projet", 'unknown key "projet" (did you mean "project"?)'],
  ["dataflow", ["dataflow"], "maxWorkerz", 'unknown key "dataflow.maxWorkerz" (did you mean "maxWorkers"?)'],
  [
    "dataflow (a swap)",
    ["dataflow"],
    "serviceAccountEmial",
    'unknown key "dataflow.serviceAccountEmial" (did you mean "serviceAccountEmail"?)',
  ],
  [
    "dataflow.batch",
    ["dataflow", "batch"],
    "tempalte",
    'unknown key "dataflow.batch.tempalte" (did you mean "template"?)',
  ],
  [
    "dataflow.stream",
    ["dataflow", "stream"],
    "EnableStreamingEngine",
    'unknown key "dataflow.stream.EnableStreamingEngine" (did you mean "enableStreamingEngine"?)',
  ],
  ["schedule", ["schedule"], "timezone", 'unknown key "schedule.timezone" (did you mean "timeZone"?)'],
  ["train", ["train"], "outputUrl", 'unknown key "train.outputUrl" (did you mean "outputUri"?)'],
  [
    "train.kubeflow",
    ["train", "kubeflow"],
    "endpont",
    'unknown key "train.kubeflow.endpont" (did you mean "endpoint"?)',
  ],
  [
    "a key of another level",
    ["dataflow"],
    "template",
    'unknown key "dataflow.template" ("template" belongs in "dataflow.batch.template" or "dataflow.stream.template")',
  ],
  ["nothing near", ["schedule"], "colour", 'unknown key "schedule.colour" (valid: "serviceAccountEmail", "timeZone")'],
  ["a prototype name", [], "constructor", 'unknown key "constructor"'],
])("a misspelled key (%s) is a ConfigError naming it and the nearest valid one", (_level, at, key, message) => {
  const file = write(`${key}.json`, withKey(at, key, 1));
  expect(() => loadConfig(file)).toThrow(ConfigError);
  expect(() => loadConfig(file)).toThrow(`config file ${file}: ${message}`);
});

test("a config path that is a folder is a ConfigError, not a crash", () => {
  expect(() => loadConfig(temp.dir)).toThrow(ConfigError);
  expect(() => loadConfig(temp.dir)).toThrow("cannot be read: EISDIR");
});

test("__proto__ in the file is an unknown key, not a prototype", () => {
  const file = path.join(temp.dir, "proto.json");
  fs.writeFileSync(file, '{"project": "rox-test", "__proto__": {"region": "europe-west1"}}');
  expect(() => loadConfig(file)).toThrow('unknown key "__proto__"');
});

test.each<[string, string[], string, unknown, string]>([
  ["a number as text", ["dataflow"], "maxWorkers", "10", '"dataflow.maxWorkers" must be a positive integer'],
  ["zero workers", ["dataflow", "batch"], "numWorkers", 0, '"dataflow.batch.numWorkers" must be a positive integer'],
  [
    "a string flag",
    ["dataflow"],
    "enableStreamingEngine",
    "yes",
    '"dataflow.enableStreamingEngine" must be true or false',
  ],
  [
    "an unknown target",
    ["train"],
    "target",
    "sagemaker",
    '"train.target" must be one of "local", "vertex-custom-job", "vertex-pipeline", "kubeflow"',
  ],
  ["a label that is not text", ["dataflow"], "labels", { team: 1 }, '"dataflow.labels" must be an object of strings'],
  ["a section that is not an object", [], "schedule", "daily", '"schedule" must be an object'],
  ["an empty project", [], "project", "", '"project" must be a non-empty string'],
])("a mistyped value (%s) is a ConfigError naming it", (_what, at, key, value, message) => {
  expect(() => loadConfig(write(`typed-${key}.json`, withKey(at, key, value)))).toThrow(message);
});

test("every command that reads the config exits 2 on a misspelled key, before any request", async () => {
  const file = write("misspelled.json", withKey(["dataflow"], "maxWorkerz", 3));
  const errors: string[] = [];
  const spy = jest.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errors.push(args.join(" ")));
  try {
    for (const argv of [
      ["jobs", "status", "--job-id", "j"],
      ["launch", "batch", "--schema", "flights", "--input", "gs://b/x.jsonl"],
      ["schedule", "batch", "--cron", "0 2 * * *", "--input-template", "gs://b/{date}/*", "--schema", "flights"],
      ["train", "--on", "flights", "--warehouse", path.join(temp.dir, "w.duckdb")],
    ]) {
      expect(await main([...argv, "--config", file, "--dry-run"])).toBe(2);
    }
  } finally {
    spy.mockRestore();
  }
  expect(errors).toHaveLength(4);
  for (const line of errors) expect(line).toContain('unknown key "dataflow.maxWorkerz" (did you mean "maxWorkers"?)');
});
