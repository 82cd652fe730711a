import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import { CloudApiError } from "../../launcher/cloud/errors";
import type { RoxConfig } from "../../launcher/config";
import { resolveDataflowSettings } from "../../launcher/dataflow/settings";
import { applySchedule } from "../../launcher/schedule/apply";
import { createSchedulerApi, type SchedulerApi } from "../../launcher/schedule/clients";
import { planSchedule, planScheduleUpdate } from "../../launcher/schedule/plan-schedule";
import { resolveScheduleSettings } from "../../launcher/schedule/settings";
import { startWireServer, WireFailure, type WireHandler, type WireServer } from "../support/grpc-wire-server";

/** The real @google-cloud/scheduler client against an in-test server built from the protos it ships. */
const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/scheduler/package.json")), "build", "protos");
const TINY_RETRY = { attempts: 3, initialDelayMs: 1, retryOn: ["quota-exhausted", "unavailable"] as const };
const config: RoxConfig = {
  project: "rox-test",
  region: "europe-west1",
  dataflow: {
    parameters: { dataset: "rox_events" },
    batch: { template: "gs://rox-test-dataflow/templates/batch.json" },
  },
  schedule: { serviceAccountEmail: "rox-scheduler@rox-test.iam.gserviceaccount.com" },
};
const plan = planSchedule(resolveScheduleSettings(config, {}), resolveDataflowSettings("batch", config, {}), {
  cron: "0 2 * * *",
  inputTemplate: "gs://rox-test-events/flights/dt={date}/*.jsonl",
  schema: { name: "flights", version: 1 },
});
const update = planScheduleUpdate(plan);

let handlers: Record<string, WireHandler> = {};
let server: WireServer;
let api: SchedulerApi;

beforeAll(async () => {
  const dispatch =
    (method: string): WireHandler =>
    (request) =>
      handlers[method](request);
  server = await startWireServer({
    protoRoot,
    protoFile: "google/cloud/scheduler/v1/cloudscheduler.proto",
    service: "google.cloud.scheduler.v1.CloudScheduler",
    handlers: { CreateJob: dispatch("CreateJob"), UpdateJob: dispatch("UpdateJob") },
  });
  api = await createSchedulerApi(server.address);
});

afterAll(async () => {
  await api?.close();
  await server?.stop();
});

beforeEach(() => {
  handlers = {};
  server.requests.length = 0;
});

/** The server decodes `bytes` as a Buffer; the plan holds it as base64, the JSON form the client library also takes. */
function asPlanned(request: Record<string, unknown>): Record<string, unknown> {
  const job = request.job as { httpTarget: { body: Buffer } };
  return {
    ...request,
    job: { ...job, httpTarget: { ...job.httpTarget, body: job.httpTarget.body.toString("base64") } },
  };
}

const answered = (request: Record<string, unknown>) => ({ ...(request.job as object), state: "ENABLED" });

test("a new schedule is created with exactly the planned request", async () => {
  handlers.CreateJob = answered;
  const result = await applySchedule(api, plan, TINY_RETRY);
  expect(server.requests.map((r) => r.method)).toEqual(["CreateJob"]);
  expect(asPlanned(server.requests[0].request)).toEqual(plan.request);
  expect(result).toEqual({
    action: "created",
    job: {
      name: "projects/rox-test/locations/europe-west1/jobs/rox-batch-flights",
      schedule: "0 2 * * *",
      timeZone: "Etc/UTC",
      state: "ENABLED",
    },
  });
});

test("an existing schedule is updated to the plan with an update mask: applying twice leaves one job", async () => {
  handlers.CreateJob = () =>
    new WireFailure(
      grpc.status.ALREADY_EXISTS,
      "Job projects/rox-test/locations/europe-west1/jobs/rox-batch-flights already exists.",
    );
  handlers.UpdateJob = answered;
  const result = await applySchedule(api, plan, TINY_RETRY);
  expect(result.action).toBe("updated");
  expect(server.requests.map((r) => r.method)).toEqual(["CreateJob", "UpdateJob"]);
  expect(asPlanned(server.requests[1].request)).toEqual(update.request);
});

test("permission denied is a typed error with one readable line", async () => {
  handlers.CreateJob = () =>
    new WireFailure(grpc.status.PERMISSION_DENIED, 'The principal lacks IAM permission "cloudscheduler.jobs.create"');
  const error = (await applySchedule(api, plan, TINY_RETRY).catch((e: unknown) => e)) as CloudApiError;
  expect(error).toBeInstanceOf(CloudApiError);
  expect(error.message).toBe(
    'CreateJob failed (permission-denied): The principal lacks IAM permission "cloudscheduler.jobs.create"',
  );
  expect(server.requests).toHaveLength(1);
});

test("a job deleted between the create and the update is a not-found error", async () => {
  handlers.CreateJob = () => new WireFailure(grpc.status.ALREADY_EXISTS, "exists");
  handlers.UpdateJob = () => new WireFailure(grpc.status.NOT_FOUND, "Job not found.");
  const error = (await applySchedule(api, plan, TINY_RETRY).catch((e: unknown) => e)) as CloudApiError;
  expect([error.failure, error.method]).toEqual(["not-found", "UpdateJob"]);
});

test("quota exhausted is retried, then reported with the number of attempts", async () => {
  handlers.CreateJob = () =>
    new WireFailure(grpc.status.RESOURCE_EXHAUSTED, "Quota exceeded for quota metric 'Job write requests'");
  const error = (await applySchedule(api, plan, TINY_RETRY).catch((e: unknown) => e)) as CloudApiError;
  expect(error.message).toBe(
    "CreateJob failed (quota-exhausted): Quota exceeded for quota metric 'Job write requests' (gave up after 3 attempts)",
  );
  expect(server.requests).toHaveLength(3);
});
