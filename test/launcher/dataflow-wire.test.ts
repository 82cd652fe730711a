import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import { CloudApiError } from "../../launcher/cloud/errors";
import { applyJobRequest, applyLaunch } from "../../launcher/dataflow/apply";
import { createDataflowApi, type DataflowApi } from "../../launcher/dataflow/clients";
import { LaunchFailedError } from "../../launcher/dataflow/errors";
import { planCancel, planDrain, planFindActiveJob, planJobErrors, planStatus } from "../../launcher/dataflow/plan-jobs";
import { planLaunch } from "../../launcher/dataflow/plan-launch";
import { planUpdate } from "../../launcher/dataflow/plan-update";
import { resolveDataflowSettings } from "../../launcher/dataflow/settings";
import { loadContract } from "../../schemas/load";
import { startWireServer, WireFailure, type WireHandler, type WireServer } from "../support/grpc-wire-server";

/** The real @google-cloud/dataflow clients against in-test servers built from the protos they ship. */
const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/dataflow/package.json")), "build", "protos");
const proto = (file: string) => `google/dataflow/v1beta3/${file}`;
const TINY_RETRY = { attempts: 3, initialDelayMs: 1, retryOn: ["quota-exhausted", "unavailable"] as const };

const config = {
  project: "rox-test",
  region: "europe-west1",
  dataflow: {
    tempLocation: "gs://rox-test-dataflow/tmp",
    parameters: { dataset: "rox_events" },
    batch: { template: "gs://rox-test-dataflow/templates/batch.json" },
    stream: { template: "gs://rox-test-dataflow/templates/stream.json" },
  },
};
const target = { project: "rox-test", region: "europe-west1" };
const flights = loadContract("flights");
const batchPlan = () =>
  planLaunch("batch", resolveDataflowSettings("batch", config, {}), {
    schema: { name: "flights", version: 1 },
    runId: "20010102t020000-abc123",
    input: "gs://rox-test-events/flights/dt={date}/*.jsonl",
    date: "2001-01-01",
  });

/** Each test sets the answers it needs; the servers look them up per request. */
let handlers: Record<string, WireHandler> = {};
const dispatch =
  (method: string): WireHandler =>
  (request) =>
    handlers[method] ? handlers[method](request) : new WireFailure(grpc.status.UNIMPLEMENTED, method);
let flex: WireServer;
let jobs: WireServer;
let messages: WireServer;
let api: DataflowApi;

beforeAll(async () => {
  flex = await startWireServer({
    protoRoot,
    protoFile: proto("templates.proto"),
    service: "google.dataflow.v1beta3.FlexTemplatesService",
    handlers: { LaunchFlexTemplate: dispatch("LaunchFlexTemplate") },
  });
  jobs = await startWireServer({
    protoRoot,
    protoFile: proto("jobs.proto"),
    service: "google.dataflow.v1beta3.JobsV1Beta3",
    handlers: { GetJob: dispatch("GetJob"), UpdateJob: dispatch("UpdateJob"), ListJobs: dispatch("ListJobs") },
  });
  messages = await startWireServer({
    protoRoot,
    protoFile: proto("messages.proto"),
    service: "google.dataflow.v1beta3.MessagesV1Beta3",
    handlers: { ListJobMessages: dispatch("ListJobMessages") },
  });
  api = await createDataflowApi({ flexTemplates: flex.address, jobs: jobs.address, messages: messages.address });
});

afterAll(async () => {
  await api?.close();
  await Promise.all([flex?.stop(), jobs?.stop(), messages?.stop()]);
});

beforeEach(() => {
  handlers = {};
  for (const server of [flex, jobs, messages]) server.requests.length = 0;
});

const running = (id: string, name: string) => ({
  id,
  name,
  type: "JOB_TYPE_BATCH",
  currentState: "JOB_STATE_RUNNING",
  currentStateTime: { seconds: "978400800" },
});

test("a launch sends exactly the planned LaunchFlexTemplate request and returns the job", async () => {
  const plan = batchPlan();
  handlers.LaunchFlexTemplate = () => ({ job: running("2001-01-02_job", plan.request.launchParameter.jobName) });
  const result = await applyLaunch(api, plan, { retry: TINY_RETRY });
  expect(flex.requests).toEqual([{ method: "LaunchFlexTemplate", request: plan.request }]);
  expect(result).toEqual({
    reused: false,
    job: {
      id: "2001-01-02_job",
      name: "rox-batch-flights-20010101-20010102t020000-abc123",
      type: "JOB_TYPE_BATCH",
      currentState: "JOB_STATE_RUNNING",
      currentStateTime: "2001-01-02T02:00:00.000Z",
      labels: {},
    },
  });
});

test("permission denied becomes a typed error with one readable line", async () => {
  handlers.LaunchFlexTemplate = () =>
    new WireFailure(grpc.status.PERMISSION_DENIED, "Permission 'dataflow.jobs.create' denied on project rox-test");
  const error = await applyLaunch(api, batchPlan(), { retry: TINY_RETRY }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CloudApiError);
  expect((error as CloudApiError).failure).toBe("permission-denied");
  expect((error as CloudApiError).message).toBe(
    "LaunchFlexTemplate failed (permission-denied): Permission 'dataflow.jobs.create' denied on project rox-test",
  );
  expect(flex.requests).toHaveLength(1);
});

test("quota exhausted is retried with backoff, then reported with the number of attempts", async () => {
  handlers.LaunchFlexTemplate = () =>
    new WireFailure(grpc.status.RESOURCE_EXHAUSTED, "Quota exceeded for quota metric 'Job creation requests'");
  const error = await applyLaunch(api, batchPlan(), { retry: TINY_RETRY }).catch((e: unknown) => e);
  expect((error as CloudApiError).failure).toBe("quota-exhausted");
  expect((error as CloudApiError).message).toBe(
    "LaunchFlexTemplate failed (quota-exhausted): Quota exceeded for quota metric 'Job creation requests' (gave up after 3 attempts)",
  );
  expect(flex.requests).toHaveLength(3);
  expect(new Set(flex.requests.map((r) => JSON.stringify(r.request))).size).toBe(1);
});

test("quota exhausted once, then accepted: the retry launches the job", async () => {
  const plan = batchPlan();
  let calls = 0;
  handlers.LaunchFlexTemplate = () =>
    ++calls === 1
      ? new WireFailure(grpc.status.RESOURCE_EXHAUSTED, "Quota exceeded")
      : { job: running("j-2", plan.request.launchParameter.jobName) };
  const result = await applyLaunch(api, plan, { retry: TINY_RETRY });
  expect(result.job.id).toBe("j-2");
  expect(flex.requests).toHaveLength(2);
});

test("already exists: the active job of that name is found and reused, not launched twice", async () => {
  const plan = batchPlan();
  const name = plan.request.launchParameter.jobName;
  handlers.LaunchFlexTemplate = () =>
    new WireFailure(grpc.status.ALREADY_EXISTS, `There is already an active job named ${name}`);
  handlers.ListJobs = () => ({ jobs: [running("j-existing", name)] });
  const result = await applyLaunch(api, plan, { retry: TINY_RETRY });
  expect(result.reused).toBe(true);
  expect(result.job.id).toBe("j-existing");
  expect(jobs.requests).toEqual([{ method: "ListJobs", request: planFindActiveJob(target, name).request }]);
});

test("already exists but no active job of that name: the original error stands", async () => {
  handlers.LaunchFlexTemplate = () => new WireFailure(grpc.status.ALREADY_EXISTS, "already exists");
  handlers.ListJobs = () => ({ jobs: [] });
  const error = await applyLaunch(api, batchPlan(), { retry: TINY_RETRY }).catch((e: unknown) => e);
  expect((error as CloudApiError).failure).toBe("already-exists");
});

test("a launch that fails before running reports the launcher's error messages", async () => {
  const plan = batchPlan();
  const name = plan.request.launchParameter.jobName;
  handlers.LaunchFlexTemplate = () => ({ job: { id: "j-bad", name, currentState: "JOB_STATE_QUEUED" } });
  handlers.GetJob = () => ({ id: "j-bad", name, currentState: "JOB_STATE_FAILED" });
  handlers.ListJobMessages = () => ({
    jobMessages: [
      {
        id: "1",
        messageText:
          'Error occurred in the launcher container: Template launch failed. rox template: invalid parameters for "rox batch"',
        messageImportance: "JOB_MESSAGE_ERROR",
      },
      { id: "2", messageText: "Workflow failed.", messageImportance: "JOB_MESSAGE_ERROR" },
    ],
  });
  const sleeps: number[] = [];
  const wait = { intervalMs: 5000, maxPolls: 10, sleep: async (ms: number) => void sleeps.push(ms) };
  const error = await applyLaunch(api, plan, { retry: TINY_RETRY, wait }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LaunchFailedError);
  expect((error as LaunchFailedError).errors).toHaveLength(2);
  expect((error as Error).message).toBe(
    `${name} (j-bad) ended in JOB_STATE_FAILED: Error occurred in the launcher container: Template launch failed. rox template: invalid parameters for "rox batch" (and 1 more)`,
  );
  expect(sleeps).toEqual([5000]);
  expect(jobs.requests).toEqual([{ method: "GetJob", request: planStatus(target, "j-bad").request }]);
  expect(messages.requests).toEqual([{ method: "ListJobMessages", request: planJobErrors(target, "j-bad").request }]);
});

test("waiting for a launch returns once the job runs", async () => {
  const plan = batchPlan();
  const name = plan.request.launchParameter.jobName;
  const states = ["JOB_STATE_PENDING", "JOB_STATE_RUNNING"];
  handlers.LaunchFlexTemplate = () => ({ job: { id: "j-ok", name, currentState: "JOB_STATE_QUEUED" } });
  handlers.GetJob = () => ({ id: "j-ok", name, currentState: states.shift() });
  const result = await applyLaunch(api, plan, {
    retry: TINY_RETRY,
    wait: { intervalMs: 1, maxPolls: 10, sleep: async () => {} },
  });
  expect(result.job.currentState).toBe("JOB_STATE_RUNNING");
  expect(jobs.requests.map((r) => r.method)).toEqual(["GetJob", "GetJob"]);
});

test("status, drain and cancel send GetJob and UpdateJob with the requested state", async () => {
  handlers.GetJob = () => running("j-1", "rox-stream-flights");
  handlers.UpdateJob = (request) => ({
    ...running("j-1", "rox-stream-flights"),
    requestedState: (request.job as { requestedState: string }).requestedState,
  });
  const plans = [planStatus(target, "j-1"), planDrain(target, "j-1"), planCancel(target, "j-1")];
  for (const plan of plans) expect((await applyJobRequest(api, plan, { retry: TINY_RETRY })).id).toBe("j-1");
  expect(jobs.requests).toEqual(plans.map((plan) => ({ method: plan.method, request: plan.request })));
});

test("a job that does not exist is a not-found error naming the call", async () => {
  handlers.GetJob = () =>
    new WireFailure(grpc.status.NOT_FOUND, "(b1b2c3): Could not find job with id j-missing in region europe-west1");
  const error = await applyJobRequest(api, planStatus(target, "j-missing"), { retry: TINY_RETRY }).catch(
    (e: unknown) => e,
  );
  expect((error as CloudApiError).failure).toBe("not-found");
  expect((error as CloudApiError).message).toMatch(
    /^GetJob failed \(not-found\): .*Could not find job with id j-missing/,
  );
  expect(jobs.requests).toHaveLength(1);
});

test("an update sends the launch with update: true and the transform name mappings", async () => {
  const plan = planUpdate(
    "stream",
    resolveDataflowSettings("stream", config, {}),
    {
      subscription: "projects/rox-test/subscriptions/flights-stream",
      transformNameMappings: { "ingest/decode": "ingest/decode-v2" },
    },
    { previous: flights, next: flights },
  );
  handlers.LaunchFlexTemplate = () => ({
    job: { ...running("j-new", "rox-stream-flights"), type: "JOB_TYPE_STREAMING" },
  });
  await applyLaunch(api, plan, { retry: TINY_RETRY });
  expect(flex.requests).toEqual([{ method: "LaunchFlexTemplate", request: plan.request }]);
  expect(flex.requests[0].request).toMatchObject({
    launchParameter: { update: true, transformNameMappings: { "ingest/decode": "ingest/decode-v2" } },
  });
});
