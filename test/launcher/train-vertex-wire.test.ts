import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import { CloudApiError, MissingSettingError } from "../../launcher/cloud/errors";
import { openVertexJobClient, openVertexPipelineClient } from "../../launcher/train/clients";
import { lineageOf } from "../../launcher/train/lineage";
import { readTrainSettings } from "../../launcher/train/settings";
import { applyVertexCustomJob, applyVertexPipelineJob } from "../../launcher/train/vertex-apply";
import { planVertexCustomJob, planVertexPipelineJob } from "../../launcher/train/vertex-plans";
import {
  TrainingJobFailedError,
  TrainingJobWaitTimeoutError,
  waitForCustomJob,
} from "../../launcher/train/vertex-wait";
import { exitCodeOf, UsageError } from "../../launcher/errors";
import { trainCommand } from "../../launcher/commands/train";
import { startWireServer, WireFailure, type WireHandler, type WireServer } from "../support/grpc-wire-server";

/** The real @google-cloud/aiplatform clients against in-test servers built from the protos the library ships. */
const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/aiplatform/package.json")), "build", "protos");
const TINY_RETRY = { attempts: 3, initialDelayMs: 1, retryOn: ["quota-exhausted", "unavailable"] as const };

const lineage = lineageOf({
  table: "flights",
  partition: "2001-01-03",
  schema: "flights",
  schemaVersion: 1,
  runs: [{ runId: "batch-20010104T020000Z-0a1b2c", rows: 4_321, finishedAt: "2001-01-04T02:03:10.000Z" }],
})!;
const settings = readTrainSettings({
  project: "rox-test",
  region: "europe-west4",
  train: {
    image: "europe-west4-docker.pkg.dev/rox-test/trainers/delay:1",
    outputUri: "gs://rox-test-models/train",
    pipelineTemplate: "gs://rox-test-models/pipelines/delay.json",
  },
});
const customPlan = planVertexCustomJob(lineage, settings);
const pipelinePlan = planVertexPipelineJob(lineage, settings);
const parent = "projects/rox-test/locations/europe-west4";
const customJob = (id: string, state: string) => ({
  name: `${parent}/customJobs/${id}`,
  displayName: customPlan.request.customJob.displayName,
  state,
  labels: customPlan.request.customJob.labels,
});

/** Each test sets the answers it needs; a server answers from whatever is set when a request arrives. */
let handlers: Record<string, WireHandler> = {};
const dispatch =
  (method: string): WireHandler =>
  (request) =>
    handlers[method] ? handlers[method](request) : new WireFailure(grpc.status.UNIMPLEMENTED, method);
/** Answers from a list, one per call, the last one repeated. */
const inTurn =
  (...answers: ReturnType<WireHandler>[]): WireHandler =>
  () =>
    answers.length > 1 ? answers.shift()! : answers[0];
let jobs: WireServer;
let pipelines: WireServer;

beforeAll(async () => {
  const aiplatform = "google/cloud/aiplatform/v1";
  jobs = await startWireServer({
    protoRoot,
    protoFile: `${aiplatform}/job_service.proto`,
    service: "google.cloud.aiplatform.v1.JobService",
    handlers: {
      ListCustomJobs: dispatch("ListCustomJobs"),
      CreateCustomJob: dispatch("CreateCustomJob"),
      GetCustomJob: dispatch("GetCustomJob"),
    },
  });
  pipelines = await startWireServer({
    protoRoot,
    protoFile: `${aiplatform}/pipeline_service.proto`,
    service: "google.cloud.aiplatform.v1.PipelineService",
    handlers: { CreatePipelineJob: dispatch("CreatePipelineJob"), GetPipelineJob: dispatch("GetPipelineJob") },
  });
});
afterAll(async () => Promise.all([jobs?.stop(), pipelines?.stop()]));
beforeEach(() => {
  handlers = {};
  jobs.requests.length = 0;
  pipelines.requests.length = 0;
});

async function submitCustomJob() {
  const client = await openVertexJobClient("europe-west4", jobs.address);
  try {
    return await applyVertexCustomJob(customPlan, client, TINY_RETRY);
  } finally {
    await client.close();
  }
}

async function submitPipelineJob() {
  const client = await openVertexPipelineClient("europe-west4", pipelines.address);
  try {
    return await applyVertexPipelineJob(pipelinePlan, client, TINY_RETRY);
  } finally {
    await client.close();
  }
}

const creates = (server: WireServer, method: string) => server.requests.filter((r) => r.method === method);

describe("Vertex AI CustomJob on the wire", () => {
  test("looks for a job of the same data, then sends exactly the planned CreateCustomJob", async () => {
    handlers = {
      ListCustomJobs: () => ({ customJobs: [] }),
      CreateCustomJob: () => customJob("123", "JOB_STATE_QUEUED"),
    };
    const job = await submitCustomJob();
    expect(job).toEqual({
      name: `${parent}/customJobs/123`,
      displayName: customPlan.request.customJob.displayName,
      state: "JOB_STATE_QUEUED",
      reused: false,
    });
    expect(jobs.requests).toEqual([
      { method: "ListCustomJobs", request: { parent, filter: `labels.rox_trigger="${lineage.trigger}"` } },
      { method: "CreateCustomJob", request: customPlan.request },
    ]);
  });

  test("a running job for the same data is reused: nothing is created", async () => {
    handlers = { ListCustomJobs: () => ({ customJobs: [customJob("77", "JOB_STATE_RUNNING")] }) };
    expect(await submitCustomJob()).toMatchObject({
      name: `${parent}/customJobs/77`,
      state: "JOB_STATE_RUNNING",
      reused: true,
    });
    expect(creates(jobs, "CreateCustomJob")).toHaveLength(0);
  });

  test("a failed job for the same data does not count: a new one is created", async () => {
    handlers = {
      ListCustomJobs: () => ({ customJobs: [customJob("66", "JOB_STATE_FAILED")] }),
      CreateCustomJob: () => customJob("124", "JOB_STATE_PENDING"),
    };
    expect(await submitCustomJob()).toMatchObject({ name: `${parent}/customJobs/124`, reused: false });
  });

  test("permission denied is final, typed, and names the call", async () => {
    handlers = {
      ListCustomJobs: () => ({ customJobs: [] }),
      CreateCustomJob: () =>
        new WireFailure(grpc.status.PERMISSION_DENIED, "Permission 'aiplatform.customJobs.create' denied on resource"),
    };
    const err = await submitCustomJob().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudApiError);
    expect(err).toMatchObject({
      failure: "permission-denied",
      service: "google.cloud.aiplatform.v1.JobService",
      method: "CreateCustomJob",
    });
    expect((err as Error).message).toContain("aiplatform.customJobs.create");
    expect(creates(jobs, "CreateCustomJob")).toHaveLength(1);
  });

  test("not found (no such project or region) from the lookup stops before any create", async () => {
    handlers = {
      ListCustomJobs: () =>
        new WireFailure(grpc.status.NOT_FOUND, "Location europe-west4 not found for project rox-test"),
    };
    await expect(submitCustomJob()).rejects.toMatchObject({ failure: "not-found", method: "ListCustomJobs" });
    expect(creates(jobs, "CreateCustomJob")).toHaveLength(0);
  });

  test("quota exhausted is retried with backoff and then succeeds", async () => {
    handlers = {
      ListCustomJobs: () => ({ customJobs: [] }),
      CreateCustomJob: inTurn(
        new WireFailure(
          grpc.status.RESOURCE_EXHAUSTED,
          "Quota exceeded for CustomModelTrainingCPUsPerProjectPerRegion",
        ),
        customJob("125", "JOB_STATE_QUEUED"),
      ),
    };
    expect(await submitCustomJob()).toMatchObject({ name: `${parent}/customJobs/125`, reused: false });
    expect(creates(jobs, "CreateCustomJob")).toHaveLength(2);
    expect(creates(jobs, "CreateCustomJob")[1].request).toEqual(customPlan.request);
  });

  test("quota exhausted on every attempt ends in a clear message with the attempts", async () => {
    handlers = {
      ListCustomJobs: () => ({ customJobs: [] }),
      CreateCustomJob: () =>
        new WireFailure(
          grpc.status.RESOURCE_EXHAUSTED,
          "Quota exceeded for CustomModelTrainingCPUsPerProjectPerRegion",
        ),
    };
    const err = (await submitCustomJob().catch((e: unknown) => e)) as CloudApiError;
    expect(err.failure).toBe("quota-exhausted");
    expect(err.message).toBe(
      "CreateCustomJob failed (quota-exhausted): Quota exceeded for CustomModelTrainingCPUsPerProjectPerRegion (gave up after 3 attempts)",
    );
    expect(creates(jobs, "CreateCustomJob")).toHaveLength(3);
  });
});

describe("Vertex AI PipelineJob on the wire", () => {
  test("sends exactly the planned CreatePipelineJob, with the data's job id", async () => {
    handlers = {
      CreatePipelineJob: () => ({
        name: `${parent}/pipelineJobs/${pipelinePlan.request.pipelineJobId}`,
        displayName: pipelinePlan.request.pipelineJob.displayName,
        state: "PIPELINE_STATE_PENDING",
      }),
    };
    expect(await submitPipelineJob()).toMatchObject({ state: "PIPELINE_STATE_PENDING", reused: false });
    expect(pipelines.requests).toEqual([{ method: "CreatePipelineJob", request: pipelinePlan.request }]);
  });

  test("already exists: the data's earlier job is fetched and reused", async () => {
    const name = `${parent}/pipelineJobs/${pipelinePlan.request.pipelineJobId}`;
    handlers = {
      CreatePipelineJob: () => new WireFailure(grpc.status.ALREADY_EXISTS, `PipelineJob ${name} already exists`),
      GetPipelineJob: () => ({
        name,
        displayName: pipelinePlan.request.pipelineJob.displayName,
        state: "PIPELINE_STATE_SUCCEEDED",
      }),
    };
    expect(await submitPipelineJob()).toEqual({
      name,
      displayName: pipelinePlan.request.pipelineJob.displayName,
      state: "PIPELINE_STATE_SUCCEEDED",
      reused: true,
    });
    expect(pipelines.requests.map((r) => r.method)).toEqual(["CreatePipelineJob", "GetPipelineJob"]);
    expect(pipelines.requests[1].request).toEqual({ name });
  });

  test("a template that does not exist is a not-found error", async () => {
    handlers = {
      CreatePipelineJob: () =>
        new WireFailure(grpc.status.NOT_FOUND, "gs://rox-test-models/pipelines/delay.json not found"),
    };
    await expect(submitPipelineJob()).rejects.toMatchObject({ failure: "not-found", method: "CreatePipelineJob" });
  });
});

test("without credentials the client is never created: a MissingSettingError names them", async () => {
  const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
  process.env.GOOGLE_APPLICATION_CREDENTIALS = path.join(__dirname, "no-such-key.json");
  try {
    const err = await openVertexJobClient("europe-west4").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingSettingError);
    expect((err as Error).message).toMatch(/^missing credentials: /);
  } finally {
    if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
  }
});

describe("waiting for a Vertex AI CustomJob (--wait-until-done)", () => {
  const outputUriPrefix = customPlan.request.customJob.jobSpec.baseOutputDirectory.outputUriPrefix;
  /** A CustomJob as GetCustomJob answers it: the planned spec (with its baseOutputDirectory) and a state. */
  const polled = (state: string, error?: { code: number; message: string }) => ({
    ...customJob("123", state),
    jobSpec: customPlan.request.customJob.jobSpec,
    ...(error ? { error } : {}),
  });
  const noSleep = { intervalMs: 1, sleep: async () => undefined };

  async function createAndWait(maxPolls = 10) {
    const client = await openVertexJobClient("europe-west4", jobs.address);
    try {
      const job = await applyVertexCustomJob(customPlan, client, TINY_RETRY);
      return await waitForCustomJob(client, job, { ...noSleep, maxPolls }, TINY_RETRY);
    } finally {
      await client.close();
    }
  }

  test("creates the job, polls GetCustomJob until SUCCEEDED, and reports AIP_MODEL_DIR", async () => {
    handlers = {
      ListCustomJobs: () => ({ customJobs: [] }),
      CreateCustomJob: () => customJob("123", "JOB_STATE_QUEUED"),
      GetCustomJob: inTurn(
        polled("JOB_STATE_PENDING"),
        polled("JOB_STATE_RUNNING"),
        polled("JOB_STATE_RUNNING"),
        polled("JOB_STATE_SUCCEEDED"),
      ),
    };
    expect(await createAndWait()).toEqual({
      name: `${parent}/customJobs/123`,
      displayName: customPlan.request.customJob.displayName,
      state: "JOB_STATE_SUCCEEDED",
      reused: false,
      modelDir: `${outputUriPrefix}/model`,
    });
    const get = { method: "GetCustomJob", request: { name: `${parent}/customJobs/123` } };
    expect(jobs.requests).toEqual([
      { method: "ListCustomJobs", request: { parent, filter: `labels.rox_trigger="${lineage.trigger}"` } },
      { method: "CreateCustomJob", request: customPlan.request },
      get,
      get,
      get,
      get,
    ]);
  });

  test("a failed job is a typed error carrying the job's own error message (exit 6)", async () => {
    const message = "The replica workerpool0-0 exited with a non-zero status of 1. To find out more, see the logs";
    handlers = {
      ListCustomJobs: () => ({ customJobs: [] }),
      CreateCustomJob: () => customJob("123", "JOB_STATE_QUEUED"),
      GetCustomJob: inTurn(polled("JOB_STATE_RUNNING"), polled("JOB_STATE_FAILED", { code: 3, message })),
    };
    const err = await createAndWait().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingJobFailedError);
    expect((err as Error).message).toBe(
      `Vertex AI CustomJob ${parent}/customJobs/123 ended JOB_STATE_FAILED: ${message}`,
    );
    expect(exitCodeOf(err)).toBe(6);
  });

  test("a cancelled job stops the wait too; cancelling is waited through", async () => {
    handlers = {
      ListCustomJobs: () => ({ customJobs: [] }),
      CreateCustomJob: () => customJob("123", "JOB_STATE_QUEUED"),
      GetCustomJob: inTurn(
        polled("JOB_STATE_CANCELLING"),
        polled("JOB_STATE_CANCELLED", { code: 1, message: "CustomJob was cancelled." }),
      ),
    };
    await expect(createAndWait()).rejects.toThrow(/ended JOB_STATE_CANCELLED: CustomJob was cancelled\.$/);
    expect(jobs.requests.filter((r) => r.method === "GetCustomJob")).toHaveLength(2);
  });

  test("a job still running after the last poll is a wait timeout, not a failure of the job", async () => {
    handlers = {
      ListCustomJobs: () => ({ customJobs: [] }),
      CreateCustomJob: () => customJob("123", "JOB_STATE_QUEUED"),
      GetCustomJob: () => polled("JOB_STATE_RUNNING"),
    };
    const err = await createAndWait(3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingJobWaitTimeoutError);
    expect(exitCodeOf(err)).toBe(6);
    expect(jobs.requests.filter((r) => r.method === "GetCustomJob")).toHaveLength(3);
  });
});

describe("rox train --wait-until-done: refused where there is no CustomJob to wait for", () => {
  test.each<[string[], string]>([
    [["--on", "flights", "--target", "local", "--wait-until-done"], "--target vertex-custom-job (got local)"],
    [["--model", "flights-delay", "--target", "local", "--wait-until-done"], "--target vertex-custom-job (got local)"],
    [["--on", "flights", "--poll-interval", "5"], "--poll-interval applies only with --wait-until-done"],
  ])("%j", async (argv, message) => {
    const err = await trainCommand(argv).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(message);
  });
});
