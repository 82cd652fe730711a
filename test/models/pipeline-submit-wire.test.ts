/**
 * `rox pipeline submit` at the wire: the real @google-cloud/aiplatform clients against in-test gRPC servers built
 * from the protos they ship (PipelineService, ScheduleService), and an in-test HTTP server speaking Kubeflow
 * Pipelines' REST API (runs, recurring runs). Asserts the exact requests and that `--dry-run` prints them unsent.
 */
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import { pipelineCommand } from "../../launcher/commands/pipeline";
import { readTrainSettings } from "../../launcher/train/settings";
import {
  planKubeflowPipelineRun,
  planKubeflowRecurringRun,
  planVertexPipelineRun,
  planVertexPipelineSchedule,
} from "../../launcher/pipeline/submit-plans";
import { startWireServer, type WireServer } from "../support/grpc-wire-server";
import { tempDir } from "../support/temp";

const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/aiplatform/package.json")), "build", "protos");
const aiplatform = "google/cloud/aiplatform/v1";
const parent = "projects/rox-test-project/locations/europe-west4";
let pipelines: WireServer;
let schedules: WireServer;
let kfp: http.Server;
/** What the Kubeflow stand-in received; bodies are JSON as sent (a recurring run has a `trigger`). */
const kfpReceived: { method: string; path: string; body: { trigger?: unknown } | undefined }[] = [];
let work: ReturnType<typeof tempDir>;
let config: string;
const params = ["--param", "warehouse=rox-test-project.rox_events", "--param", "store=gs://rox-test-models/registry"];
const expectedParameters = {
  platform: "gcp",
  day: "2001-01-15",
  input_template: "gs://rox-test-events/flights/dt={date}/*.jsonl",
  warehouse: "rox-test-project.rox_events",
  store: "gs://rox-test-models/registry",
};

beforeAll(async () => {
  pipelines = await startWireServer({
    protoRoot,
    protoFile: `${aiplatform}/pipeline_service.proto`,
    service: "google.cloud.aiplatform.v1.PipelineService",
    handlers: {
      CreatePipelineJob: (r) => ({
        name: `${r.parent}/pipelineJobs/${r.pipelineJobId}`,
        displayName: (r.pipelineJob as { displayName?: string }).displayName,
        state: "PIPELINE_STATE_PENDING",
      }),
    },
  });
  schedules = await startWireServer({
    protoRoot,
    protoFile: `${aiplatform}/schedule_service.proto`,
    service: "google.cloud.aiplatform.v1.ScheduleService",
    handlers: {
      CreateSchedule: (r) => ({ ...(r.schedule as object), name: `${r.parent}/schedules/123`, state: "ACTIVE" }),
    },
  });
  kfp = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      kfpReceived.push({ method: req.method ?? "", path: url.pathname, body: text ? JSON.parse(text) : undefined });
      const body =
        req.method === "GET"
          ? { runs: [] }
          : {
              ...(text ? JSON.parse(text) : {}),
              run_id: "r-1",
              recurring_run_id: "rr-1",
              state: "PENDING",
              status: "ENABLED",
            };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => kfp.listen(0, "127.0.0.1", resolve));
  work = tempDir("pipeline-submit");
  config = path.join(work.dir, "rox.config.json");
  const train = {
    outputUri: "gs://rox-test-models/train",
    pipelineTemplate: "gs://rox-test-models/pipelines/rox-batch-model.json",
    serviceAccount: "rox-pipelines@rox-test-project.iam.gserviceaccount.com",
    kubeflow: {
      endpoint: `http://127.0.0.1:${(kfp.address() as AddressInfo).port}`,
      pipelineId: "rox-batch-model",
      pipelineVersionId: "v1",
      experimentId: "models",
    },
  };
  fs.writeFileSync(config, JSON.stringify({ project: "rox-test-project", region: "europe-west4", train }));
});
afterAll(async () => {
  await Promise.all([pipelines?.stop(), schedules?.stop(), new Promise((r) => kfp?.close(r))]);
  work?.cleanup();
});

const submit = (...args: string[]) =>
  quiet(() =>
    pipelineCommand([
      "submit",
      "--config",
      config,
      "--input-template",
      "gs://rox-test-events/flights/dt={date}/*.jsonl",
      ...params,
      ...args,
    ]),
  );
const settings = () => readTrainSettings(JSON.parse(fs.readFileSync(config, "utf8")));

test("vertex: one PipelineJob of the compiled spec with the day's parameters, exactly as planned", async () => {
  const job = await submit("--target", "vertex", "--day", "2001-01-15", "--endpoint", pipelines.address);
  const plan = planVertexPipelineRun(settings(), expectedParameters);
  expect(pipelines.requests).toEqual([{ method: "CreatePipelineJob", request: plan.request }]);
  expect(plan.request.pipelineJobId).toBe("rox-ml-flights-delay-2001-01-15");
  expect(plan.request.pipelineJob.runtimeConfig.parameterValues.day).toEqual({ stringValue: "2001-01-15" });
  expect(job).toMatchObject({ name: `${parent}/pipelineJobs/rox-ml-flights-delay-2001-01-15`, reused: false });
});

test("vertex: a daily Schedule whose runs process the day before they start", async () => {
  await submit("--target", "vertex", "--schedule", "0 3 * * *", "--endpoint", schedules.address);
  const plan = planVertexPipelineSchedule(settings(), { ...expectedParameters, day: "yesterday" }, "0 3 * * *");
  expect(schedules.requests).toEqual([{ method: "CreateSchedule", request: plan.request }]);
  expect(plan.request.schedule).toMatchObject({ cron: "TZ=Etc/UTC 0 3 * * *", maxConcurrentRunCount: "1" });
});

test("kubeflow: a run (after looking for one of the same name) and a recurring run, on the KFP REST API", async () => {
  await submit("--target", "kubeflow", "--day", "2001-01-15");
  await submit("--target", "kubeflow", "--schedule", "0 3 * * *");
  expect(kfpReceived.map((r) => `${r.method} ${r.path}`)).toEqual([
    "GET /apis/v2beta1/runs",
    "POST /apis/v2beta1/runs",
    "POST /apis/v2beta1/recurringruns",
  ]);
  expect(kfpReceived[1].body).toEqual(planKubeflowPipelineRun(settings(), expectedParameters).request.body);
  expect(kfpReceived[2].body).toEqual(
    planKubeflowRecurringRun(settings(), { ...expectedParameters, day: "yesterday" }, "0 3 * * *").request.body,
  );
  expect(kfpReceived[2].body?.trigger).toEqual({ cron_schedule: { cron: "0 0 3 * * *" } });
});

test("--dry-run prints the plan and sends nothing", async () => {
  const before = pipelines.requests.length + kfpReceived.length;
  const printed: string[] = [];
  const log = console.log;
  console.log = (text: string) => printed.push(text);
  try {
    await pipelineCommand([
      "submit",
      "--config",
      config,
      "--target",
      "vertex",
      "--day",
      "2001-01-16",
      "--dry-run",
      ...params,
    ]);
  } finally {
    console.log = log;
  }
  expect(JSON.parse(printed.join("\n"))).toMatchObject({
    service: "google.cloud.aiplatform.v1.PipelineService",
    method: "CreatePipelineJob",
    request: { pipelineJobId: "rox-ml-flights-delay-2001-01-16" },
  });
  expect(pipelines.requests.length + kfpReceived.length).toBe(before);
});

async function quiet<T>(run: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await run();
  } finally {
    console.log = log;
  }
}
