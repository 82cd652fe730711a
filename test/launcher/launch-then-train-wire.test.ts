import * as grpc from "@grpc/grpc-js";
import * as fs from "fs";
import * as path from "path";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { launchCommand } from "../../launcher/commands/launch";
import { createDataflowApi, type DataflowApi } from "../../launcher/dataflow/clients";
import { LaunchFailedError } from "../../launcher/dataflow/errors";
import { planJobErrors, planStatus } from "../../launcher/dataflow/plan-jobs";
import { planLaunch } from "../../launcher/dataflow/plan-launch";
import { resolveDataflowSettings } from "../../launcher/dataflow/settings";
import { JobWaitTimeoutError } from "../../launcher/dataflow/wait-until-done";
import { exitCodeOf, UsageError } from "../../launcher/errors";
import { launchThenTrain, type TrainAfterJob } from "../../launcher/launch-then-train";
import { writeFlightSample } from "../../tools/sample/flights";
import { readTrainSettings } from "../../launcher/train/settings";
import { bigQueryDialect } from "../../launcher/train/slice-dialect";
import type { CreateCustomJobRequest } from "../../launcher/train/vertex-plans";
import { readSliceFacts, resolveSlice } from "../../launcher/train/warehouse-slice";
import { runBatchJob } from "../../pipelines/batch-job";
import { useBigQueryEmulator } from "../support/bigquery-emulator";
import { expectGoldenFile } from "../support/golden";
import { startWireServer, WireFailure, type WireHandler, type WireServer } from "../support/grpc-wire-server";
import { itNeeds } from "../support/prerequisites";
import { stageAsDataflowRun } from "../support/dataflow-run-stage";
import { tempDir } from "../support/temp";

// `launch batch --wait-until-done --then-train` end to end at the wire: the real Dataflow and Vertex AI clients against
// in-test servers built from the protos they ship, and bqemulator holding what the job landed. Dataflow writes events
// but no job_runs row, so the landed rows are a real batch run's with job_runs dropped.
const bq = useBigQueryEmulator();
const dataflowProtos = path.join(
  path.dirname(require.resolve("@google-cloud/dataflow/package.json")),
  "build",
  "protos",
);
const vertexProtos = path.join(
  path.dirname(require.resolve("@google-cloud/aiplatform/package.json")),
  "build",
  "protos",
);
const TINY_RETRY = { attempts: 2, initialDelayMs: 1, retryOn: ["quota-exhausted", "unavailable"] as const };
const DATASET = "rox_events";
const DAY = "2001-01-02";
const RUN_ID = "20010103t020000-0a1b2c";
const JOB_ID = "2001-01-03_02_00_00-4242";

/** Every request to any server, in order, and each server's answers as the test sets them. */
let calls: string[] = [];
let handlers: Record<string, WireHandler> = {};
const dispatch =
  (method: string): WireHandler =>
  (request) => {
    calls.push(method);
    return handlers[method] ? handlers[method](request) : new WireFailure(grpc.status.UNIMPLEMENTED, method);
  };
const inTurn =
  (...answers: ReturnType<WireHandler>[]): WireHandler =>
  () =>
    answers.length > 1 ? answers.shift()! : answers[0];
let servers: Record<"flex" | "jobs" | "messages" | "vertex", WireServer>;
let api: DataflowApi;
let work: ReturnType<typeof tempDir>;
let landed = { runId: "", rows: 0 };

const projectId = () => bq.emulator?.projectId ?? "rox-test";
const config = () => ({
  project: projectId(),
  region: "europe-west1",
  dataflow: {
    tempLocation: "gs://rox-test-dataflow/tmp",
    parameters: { dataset: DATASET },
    batch: { template: "gs://rox-test-dataflow/templates/batch.json" },
  },
  train: { image: "europe-west1-docker.pkg.dev/rox-test/trainers/delay:1", outputUri: "gs://rox-test-models/train" },
});
const launchPlan = () =>
  planLaunch("batch", resolveDataflowSettings("batch", config(), {}), {
    schema: { name: "flights", version: 1 },
    runId: RUN_ID,
    input: "gs://rox-test-events/flights/dt={date}/*.jsonl",
    date: DAY,
  });
const trainAfter = (): TrainAfterJob => ({
  table: "flights",
  partition: DAY,
  settings: readTrainSettings(config(), { target: "vertex-custom-job" }),
  bigqueryEndpoint: bq.emulator?.apiEndpoint,
  vertexEndpoint: servers.vertex.address,
});

beforeAll(async () => {
  const service = (protoRoot: string, protoFile: string, name: string, methods: string[]) =>
    startWireServer({
      protoRoot,
      protoFile,
      service: name,
      handlers: Object.fromEntries(methods.map((m) => [m, dispatch(m)])),
    });
  servers = {
    flex: await service(
      dataflowProtos,
      "google/dataflow/v1beta3/templates.proto",
      "google.dataflow.v1beta3.FlexTemplatesService",
      ["LaunchFlexTemplate"],
    ),
    jobs: await service(dataflowProtos, "google/dataflow/v1beta3/jobs.proto", "google.dataflow.v1beta3.JobsV1Beta3", [
      "GetJob",
      "ListJobs",
    ]),
    messages: await service(
      dataflowProtos,
      "google/dataflow/v1beta3/messages.proto",
      "google.dataflow.v1beta3.MessagesV1Beta3",
      ["ListJobMessages"],
    ),
    vertex: await service(
      vertexProtos,
      "google/cloud/aiplatform/v1/job_service.proto",
      "google.cloud.aiplatform.v1.JobService",
      ["ListCustomJobs", "CreateCustomJob"],
    ),
  };
  api = await createDataflowApi({
    flexTemplates: servers.flex.address,
    jobs: servers.jobs.address,
    messages: servers.messages.address,
  });
  work = tempDir("launch-then-train");
  if (bq.emulator) landed = await landFlights();
}, 300_000);
afterAll(async () => {
  await api?.close();
  await Promise.all(Object.values(servers ?? {}).map((s) => s.stop()));
  work?.cleanup();
});
beforeEach(() => {
  calls = [];
  handlers = {};
  for (const server of Object.values(servers)) server.requests.length = 0;
});

/** A real batch run of the day into bqemulator, then no job_runs: what the Dataflow job leaves behind. */
async function landFlights(): Promise<{ runId: string; rows: number }> {
  const input = path.join(work.dir, "events");
  await writeFlightSample({ outDir: input, format: "jsonl", by: "day", from: DAY, to: "2001-01-03", limit: 2000 });
  const warehouse = await BigQueryWarehouse.open({
    projectId: projectId(),
    dataset: DATASET,
    apiEndpoint: bq.emulator!.apiEndpoint,
  });
  try {
    const summary = await runBatchJob({ input, schema: "flights", workDir: work.dir }, warehouse);
    await warehouse.query("DROP TABLE job_runs");
    return { runId: summary.runId, rows: summary.written };
  } finally {
    await warehouse.close();
  }
}

const job = (state: string, labels: Record<string, string> = {}) => ({
  id: JOB_ID,
  name: launchPlan().request.launchParameter.jobName,
  type: "JOB_TYPE_BATCH",
  currentState: state,
  labels,
});
const target = () => ({ project: projectId(), region: "europe-west1" });

itNeeds("bigquery-emulator")(
  "launch, poll until DONE, then CreateCustomJob with the lineage of the rows the job landed",
  async () => {
    const plan = launchPlan();
    handlers = {
      LaunchFlexTemplate: () => ({ job: job("JOB_STATE_QUEUED") }),
      GetJob: inTurn(job("JOB_STATE_RUNNING", { "rox-run": RUN_ID }), job("JOB_STATE_DONE", { "rox-run": RUN_ID })),
      ListCustomJobs: () => ({ customJobs: [] }),
      CreateCustomJob: (r) => ({
        name: `projects/${projectId()}/locations/europe-west1/customJobs/7`,
        displayName: (r.customJob as { displayName: string }).displayName,
        state: "JOB_STATE_QUEUED",
      }),
    };
    const sleeps: number[] = [];
    const polling = { intervalMs: 15_000, maxPolls: 10, sleep: async (ms: number) => void sleeps.push(ms) };
    const result = await launchThenTrain(api, plan, { polling, train: trainAfter(), retry: TINY_RETRY });

    expect(calls).toEqual(["LaunchFlexTemplate", "GetJob", "GetJob", "ListCustomJobs", "CreateCustomJob"]);
    expect(servers.flex.requests).toEqual([{ method: "LaunchFlexTemplate", request: plan.request }]);
    expect(servers.jobs.requests.map((r) => r.request)).toEqual([
      planStatus(target(), JOB_ID).request,
      planStatus(target(), JOB_ID).request,
    ]);
    expect(sleeps).toEqual([15_000, 15_000]);
    expect(result.done.currentState).toBe("JOB_STATE_DONE");

    const lineage = result.training!.lineage;
    expect(lineage).toMatchObject({
      table: "flights",
      partition: DAY,
      rowCount: landed.rows,
      runId: RUN_ID,
      runCount: 1,
      schema: "flights",
      schemaVersion: 1,
    });
    const sent = servers.vertex.requests[1].request as unknown as CreateCustomJobRequest;
    expect(sent).toEqual(result.training!.plan.request);
    const container = sent.customJob.jobSpec.workerPoolSpecs[0].containerSpec;
    expect(container.args).toEqual([
      "--table=flights",
      `--partition=${DAY}`,
      `--rows=${landed.rows}`,
      `--run-id=${RUN_ID}`,
      "--schema=flights",
      "--schema-version=1",
    ]);
    expect(container.env).toEqual([
      { name: "AIP_TRAINING_DATA_URI", value: `bq://${projectId()}.${DATASET}.flights` },
      { name: "AIP_DATA_FORMAT", value: "bigquery" },
      { name: "ROX_TRAINING_DATA_FILTER", value: `DATE(\`date\`) = '${DAY}'` },
    ]);
    expect(sent.customJob.labels).toMatchObject({
      rox_run_id: RUN_ID,
      rox_rows: String(landed.rows),
      rox_partition: DAY,
      rox_trigger: lineage.trigger,
    });
  },
);

itNeeds("bigquery-emulator")(
  "without job_runs the lineage comes from the rows alone: their run id, no finish time",
  async () => {
    const ref = { projectId: projectId(), dataset: DATASET };
    const warehouse = await BigQueryWarehouse.open({ ...ref, apiEndpoint: bq.emulator!.apiEndpoint });
    try {
      const facts = await readSliceFacts(
        warehouse,
        resolveSlice({ table: "flights", partition: DAY }),
        bigQueryDialect(ref),
      );
      expect(landed.rows).toBeGreaterThan(1000);
      expect(facts.runs).toEqual([{ runId: landed.runId, rows: landed.rows, finishedAt: "" }]);
    } finally {
      await warehouse.close();
    }
  },
);

itNeeds("bigquery-emulator")(
  "a launch that finds the job already running lands that job's run (its rox-run label), not the planned one",
  async () => {
    const earlier = "20010103t015500-0d0e0f";
    const dataset = "rox_reused";
    const target = { projectId: projectId(), dataset, apiEndpoint: bq.emulator!.apiEndpoint };
    const input = path.join(work.dir, "events");
    await stageAsDataflowRun({ target, runId: earlier, input, dir: path.join(work.dir, "reused"), nowMs: Date.now() });
    const plan = planLaunch(
      "batch",
      resolveDataflowSettings(
        "batch",
        { ...config(), dataflow: { ...config().dataflow, parameters: { dataset } } },
        {},
      ),
      { schema: { name: "flights", version: 1 }, runId: RUN_ID, input: "gs://rox-test-events/x/*.jsonl", date: DAY },
    );
    const running = job("JOB_STATE_RUNNING", { "rox-run": earlier });
    handlers = {
      LaunchFlexTemplate: () => new WireFailure(grpc.status.ALREADY_EXISTS, "There is already an active job"),
      ListJobs: () => ({ jobs: [running] }),
      GetJob: () => job("JOB_STATE_DONE", { "rox-run": earlier }),
    };
    const polling = { intervalMs: 1, maxPolls: 3, sleep: async () => undefined };
    const result = await launchThenTrain(api, plan, {
      polling,
      retry: TINY_RETRY,
      bigqueryEndpoint: target.apiEndpoint,
    });
    expect(result.launch.reused).toBe(true);
    expect(result.finalized).toMatchObject({ runId: earlier, written: landed.rows });
    const warehouse = await BigQueryWarehouse.open(target);
    try {
      expect(await warehouse.query("SELECT count(*) AS n FROM flights")).toEqual([{ n: landed.rows }]);
    } finally {
      await warehouse.close();
    }
  },
);

test("a FAILED job ends with LaunchFailedError (exit code 6) and its messages; nothing is trained", async () => {
  handlers = {
    LaunchFlexTemplate: () => ({ job: job("JOB_STATE_QUEUED") }),
    GetJob: inTurn(job("JOB_STATE_RUNNING"), job("JOB_STATE_FAILED")),
    ListJobMessages: () => ({
      jobMessages: [
        {
          id: "1",
          messageText: "Workflow failed. Causes: S04:ingest/decode failed.",
          messageImportance: "JOB_MESSAGE_ERROR",
        },
      ],
    }),
  };
  const polling = { intervalMs: 1, maxPolls: 10, sleep: async () => undefined };
  const error = await launchThenTrain(api, launchPlan(), { polling, train: trainAfter(), retry: TINY_RETRY }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LaunchFailedError);
  expect(exitCodeOf(error)).toBe(6);
  expect((error as LaunchFailedError).errors).toEqual(["Workflow failed. Causes: S04:ingest/decode failed."]);
  expect(calls).toEqual(["LaunchFlexTemplate", "GetJob", "GetJob", "ListJobMessages"]);
  expect(servers.messages.requests[0].request).toEqual(planJobErrors(target(), JOB_ID).request);
  expect(servers.vertex.requests).toEqual([]);
});

test("a job still running when the wait ends: JobWaitTimeoutError after the last poll; nothing is trained", async () => {
  handlers = { LaunchFlexTemplate: () => ({ job: job("JOB_STATE_PENDING") }), GetJob: () => job("JOB_STATE_RUNNING") };
  const polling = { intervalMs: 60_000, maxPolls: 3, sleep: async () => undefined };
  const error = await launchThenTrain(api, launchPlan(), { polling, train: trainAfter(), retry: TINY_RETRY }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JobWaitTimeoutError);
  expect((error as Error).message).toBe(
    `${launchPlan().request.launchParameter.jobName} (${JOB_ID}) is still JOB_STATE_RUNNING after 3 polls (180 s): not waiting longer (rox jobs status --job-id ${JOB_ID})`,
  );
  expect(calls).toEqual(["LaunchFlexTemplate", "GetJob", "GetJob", "GetJob"]);
  expect(servers.vertex.requests).toEqual([]);
});

test("a training setting missing is reported before anything is launched", async () => {
  const settings = readTrainSettings({ ...config(), train: {} }, { target: "vertex-custom-job" });
  const polling = { intervalMs: 1, maxPolls: 1, sleep: async () => undefined };
  await expect(launchThenTrain(api, launchPlan(), { polling, train: { ...trainAfter(), settings } })).rejects.toThrow(
    "missing train.image:",
  );
  expect(calls).toEqual([]);
});

describe("rox launch batch --wait-until-done --then-train on the command line", () => {
  const configFile = () => {
    const file = path.join(work.dir, "rox.config.json");
    fs.writeFileSync(file, JSON.stringify({ ...config(), project: "rox-prod" }));
    return file;
  };
  const launch = (...extra: string[]) =>
    launchCommand([
      "batch",
      "--schema",
      "flights",
      "--input",
      "gs://rox-prod-events/flights/dt={date}/*.jsonl",
      "--date",
      DAY,
      "--run-id",
      RUN_ID,
      "--config",
      configFile(),
      ...extra,
    ]);

  test("--dry-run prints the launch, then the training it would send once the job is DONE (golden); nothing is sent", async () => {
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      const plans = await launch(
        "--wait-until-done",
        "--then-train",
        "--train-target",
        "vertex-custom-job",
        "--dry-run",
      );
      expect(log).toHaveBeenCalledTimes(1);
      expectGoldenFile(path.join(__dirname, "golden", "launch-then-train.json"), `${String(log.mock.calls[0][0])}\n`);
      expect(Array.isArray(plans) && plans.length).toBe(2);
    } finally {
      log.mockRestore();
    }
    expect(calls).toEqual([]);
  });

  test("--wait-until-done alone plans the same launch as without it", async () => {
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      expect(await launch("--wait-until-done", "--poll-interval", "10", "--dry-run")).toEqual(
        await launch("--dry-run"),
      );
    } finally {
      log.mockRestore();
    }
  });

  test.each([
    [["--then-train"], "--then-train needs --wait-until-done"],
    [["--wait-until-done", "--train-target", "kubeflow"], "--train-target applies only with --then-train"],
    [["--poll-interval", "5"], "--poll-interval applies only with --wait-until-done"],
    [["--wait-until-done", "--max-wait", "0"], "--max-wait must be greater than 0"],
    [["--wait", "--wait-until-done"], "pass --wait or --wait-until-done, not both"],
    [
      ["--wait-until-done", "--then-train", "--train-target", "local"],
      "--target local trains on the embedded DuckDB warehouse only",
    ],
  ])("%j is refused: %s", async (extra, message) => {
    const attempt = launch(...extra, "--dry-run");
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });

  test("--wait-until-done is refused for a streaming job, --then-train without --date", async () => {
    await expect(
      launchCommand([
        "stream",
        "--schema",
        "flights",
        "--subscription",
        "projects/p/subscriptions/s",
        "--wait-until-done",
        "--config",
        configFile(),
        "--dry-run",
      ]),
    ).rejects.toThrow("--wait-until-done is for batch jobs");
    await expect(
      launchCommand([
        "batch",
        "--schema",
        "flights",
        "--input",
        "gs://b/x.jsonl",
        "--wait-until-done",
        "--then-train",
        "--config",
        configFile(),
        "--dry-run",
      ]),
    ).rejects.toThrow("--then-train needs --date");
  });
});
