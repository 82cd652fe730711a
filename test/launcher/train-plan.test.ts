import * as path from "path";
import { MissingSettingError } from "../../launcher/cloud/errors";
import { ConfigError } from "../../launcher/config";
import { renderPlans } from "../../launcher/plan";
import { planKubeflowRun } from "../../launcher/train/kubeflow-plan";
import { isLabelKey } from "../../launcher/train/label-rules";
import { lineageArgs, lineageLabels, lineageOf, trainingJobId, type SliceFacts } from "../../launcher/train/lineage";
import { readTrainSettings } from "../../launcher/train/settings";
import { planVertexCustomJob, planVertexPipelineJob } from "../../launcher/train/vertex-plans";
import { expectGoldenFile } from "../support/golden";

const GOLDEN = path.join(__dirname, "golden-train");

const expectGolden = (name: string, text: string) => expectGoldenFile(path.join(GOLDEN, name), text);

const facts: SliceFacts = {
  table: "flights",
  partition: "2001-01-03",
  schema: "flights",
  schemaVersion: 1,
  runs: [
    { runId: "batch-20010104T020000Z-0a1b2c", rows: 14_210, finishedAt: "2001-01-04T02:03:10.000Z" },
    { runId: "stream-20010103T120000Z-9f8e7d", rows: 1_790, finishedAt: "2001-01-03T12:30:00.000Z" },
  ],
};
const lineage = lineageOf(facts)!;

const config = {
  project: "rox-prod",
  region: "europe-west4",
  train: {
    image: "europe-west4-docker.pkg.dev/rox-prod/trainers/delay-model:1.2.0",
    machineType: "n1-standard-8",
    args: ["--epochs=1"],
    serviceAccount: "rox-trainer@rox-prod.iam.gserviceaccount.com",
    outputUri: "gs://rox-prod-models/train/",
    pipelineTemplate: "https://europe-west4-kfp.pkg.dev/rox-prod/pipelines/delay-model/v3",
    kubeflow: {
      endpoint: "https://kfp.example.internal/",
      pipelineId: "3f9c-pipeline",
      pipelineVersionId: "77aa-version",
      experimentId: "delay-models",
      serviceAccount: "pipeline-runner",
    },
  },
};

describe("lineage", () => {
  test("counts every run's rows and names the latest run", () => {
    expect(lineage).toMatchObject({
      table: "flights",
      partition: "2001-01-03",
      rowCount: 16_000,
      runId: "batch-20010104T020000Z-0a1b2c",
      runCount: 2,
      schema: "flights",
      schemaVersion: 1,
    });
    expect(lineage.trigger).toMatch(/^[0-9a-f]{12}$/);
    expect(trainingJobId(lineage)).toBe(`rox-train-flights-2001-01-03-${lineage.trigger}`);
  });

  test("the same data gives the same trigger; more rows or another run give another", () => {
    expect(lineageOf({ ...facts, runs: [...facts.runs].reverse() })!.trigger).toBe(lineage.trigger);
    expect(lineageOf({ ...facts, runs: [{ ...facts.runs[0], rows: 14_211 }, facts.runs[1]] })!.trigger).not.toBe(
      lineage.trigger,
    );
    expect(lineageOf({ ...facts, partition: undefined })!.trigger).not.toBe(lineage.trigger);
  });

  test("a slice without rows has no lineage", () => {
    expect(lineageOf({ ...facts, runs: [] })).toBeUndefined();
    expect(lineageOf({ ...facts, runs: [{ runId: "r", rows: 0, finishedAt: "" }] })).toBeUndefined();
  });

  test("labels keep Google's rules for awkward tables and run ids", () => {
    const odd = lineageOf({
      ...facts,
      table: "Flights_Origin_Hourly_" + "x".repeat(80),
      runs: [{ runId: "Batch-2001/01:03 ünïcode", rows: 3, finishedAt: "z" }],
    })!;
    const labels = lineageLabels(odd);
    for (const [key, value] of Object.entries(labels)) {
      expect(isLabelKey(key)).toBe(true);
      expect(value).toMatch(/^[a-z0-9_-]{0,63}$/);
    }
    expect(labels.rox_run_id).toBe("batch-2001_01_03__n_code");
    expect(lineageArgs(odd)).toContain("--run-id=Batch-2001/01:03 ünïcode");
  });
});

describe("plans (golden)", () => {
  const settings = (target: string) => readTrainSettings(config, { target: target as never });

  test("Vertex AI CustomJob", () =>
    expectGolden(
      "vertex-custom-job.json",
      renderPlans([planVertexCustomJob(lineage, settings("vertex-custom-job"))]) + "\n",
    ));
  test("Vertex AI PipelineJob", () =>
    expectGolden(
      "vertex-pipeline.json",
      renderPlans([planVertexPipelineJob(lineage, settings("vertex-pipeline"))]) + "\n",
    ));
  test("Kubeflow run", () =>
    expectGolden("kubeflow-run.json", renderPlans([planKubeflowRun(lineage, settings("kubeflow"))]) + "\n"));

  test("the whole table, minimal settings: no service account, no experiment, no pipeline root", () => {
    const whole = lineageOf({ ...facts, partition: undefined })!;
    const minimal = {
      project: "p",
      region: "us-central1",
      train: {
        image: "img",
        outputUri: "gs://b",
        pipelineTemplate: "gs://b/p.json",
        kubeflow: { endpoint: "http://kfp", pipelineId: "p", pipelineVersionId: "v" },
      },
    };
    const plans = [
      planVertexCustomJob(whole, readTrainSettings(minimal)),
      planVertexPipelineJob(whole, readTrainSettings(minimal)),
      planKubeflowRun(whole, readTrainSettings(minimal)),
    ];
    expectGolden("minimal-whole-table.json", renderPlans(plans) + "\n");
  });
});

describe("missing settings are named before any call", () => {
  const cases: [string, Record<string, unknown>, (s: ReturnType<typeof readTrainSettings>) => unknown, string][] = [
    ["project", { region: "r", train: config.train }, (s) => planVertexCustomJob(lineage, s), "project"],
    ["region", { project: "p", train: config.train }, (s) => planVertexPipelineJob(lineage, s), "region"],
    [
      "image",
      { ...config, train: { ...config.train, image: undefined } },
      (s) => planVertexCustomJob(lineage, s),
      "train.image",
    ],
    [
      "output uri",
      { ...config, train: { ...config.train, outputUri: undefined } },
      (s) => planVertexCustomJob(lineage, s),
      "train.outputUri",
    ],
    [
      "template",
      { ...config, train: { ...config.train, pipelineTemplate: undefined } },
      (s) => planVertexPipelineJob(lineage, s),
      "train.pipelineTemplate",
    ],
    [
      "kubeflow endpoint",
      { ...config, train: { ...config.train, kubeflow: {} } },
      (s) => planKubeflowRun(lineage, s),
      "train.kubeflow.endpoint",
    ],
  ];
  test.each(cases)("%s", (_name, cfg, plan, setting) => {
    const attempt = () => plan(readTrainSettings(JSON.parse(JSON.stringify(cfg))));
    expect(attempt).toThrow(MissingSettingError);
    expect(attempt).toThrow(`missing ${setting}:`);
  });

  test("flags win over the config file", () => {
    const s = readTrainSettings(config, { project: "other", region: "us-east1", target: "kubeflow" });
    expect(planVertexCustomJob(lineage, s).request.parent).toBe("projects/other/locations/us-east1");
    expect(s.target).toBe("kubeflow");
  });

  test("a malformed train section is a ConfigError", () => {
    expect(() => readTrainSettings({ train: { target: "sagemaker" } })).toThrow(ConfigError);
    expect(() => readTrainSettings({ train: { command: "node trainer.js" } })).toThrow(
      '"train.command" must be an array of strings',
    );
    expect(() => readTrainSettings({ train: { kubeflow: { auth: "basic" } } })).toThrow(ConfigError);
  });
});
