/**
 * `rox schedule batch --target cloud-run-job` on the wire: a real HTTP server answers as run.googleapis.com (the Admin
 * API v2's REST surface) and an in-test gRPC server as Cloud Scheduler, with the real @google-cloud/scheduler client;
 * the requests they receive are the ones `--dry-run` prints. The container's args, parsed by `rox launch`, plan the
 * launch the direct target sends but for the day and the run (schedule-batch-cloud-run-run.test.ts runs them).
 */
import * as path from "path";
import { launchCommand } from "../../launcher/commands/launch";
import { scheduleCommand } from "../../launcher/commands/schedule";
import { UsageError } from "../../launcher/errors";
import { resolveDay } from "../../launcher/models/day";
import type { Plan } from "../../launcher/plan";
import type { LaunchFlexTemplateRequest } from "../../launcher/dataflow/requests";
import { scheduledLaunchBody } from "../../launcher/schedule/plan-schedule";
import type { CreateSchedulerJobRequest } from "../../launcher/schedule/requests";
import type { RunJobPlans } from "../../launcher/schedule/run-job-plan";
import { captureConsole } from "../support/console-capture";
import {
  startJsonWireServer,
  type JsonAnswer,
  type JsonRequest,
  type JsonWireServer,
} from "../support/json-wire-server";
import { startWireServer, type WireServer } from "../support/grpc-wire-server";

const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/scheduler/package.json")), "build", "protos");
const PARENT = "projects/rox-prod/locations/europe-west1";
const JOB = `${PARENT}/jobs/rox-batch-flights`;
const IMAGE = "europe-west1-docker.pkg.dev/rox-prod/rox/launcher:1";
const SCHEDULER_SA = "rox-scheduler@rox-prod.iam.gserviceaccount.com";

let received: JsonRequest[] = [];
let answers: JsonAnswer[] = [];
let run: JsonWireServer;
let scheduler: WireServer;

beforeAll(async () => {
  run = await startJsonWireServer((request) => {
    received.push(request);
    return answers.shift() ?? { status: 500, body: { error: { message: "unexpected request" } } };
  });
  scheduler = await startWireServer({
    protoRoot,
    protoFile: "google/cloud/scheduler/v1/cloudscheduler.proto",
    service: "google.cloud.scheduler.v1.CloudScheduler",
    handlers: { CreateJob: (request) => ({ ...(request.job as object), state: "ENABLED" }) },
  });
});
afterAll(async () => {
  await run?.close();
  await scheduler?.stop();
});
beforeEach(() => {
  received = [];
  answers = [];
  scheduler.requests.length = 0;
});

/** The flags both targets share: the schedule, and the launch every run sends. */
const SHARED = [
  ...["batch", "--cron", "0 2 * * *", "--time-zone", "Europe/Berlin", "--schema", "flights"],
  ...["--input-template", "gs://rox-prod-events/flights/dt={date}/*.jsonl", "--dataset", "rox_events"],
  ...["--project", "rox-prod", "--region", "europe-west1", "--service-account", SCHEDULER_SA],
  ...["--template", "gs://rox-prod-dataflow/templates/batch.json", "--temp-location", "gs://rox-prod-dataflow/tmp"],
  ...["--max-workers", "4", "--label", "team=data", "--param", "format=jsonl"],
];
const ARGS = [
  ...SHARED,
  ...[
    "--target",
    "cloud-run-job",
    "--image",
    IMAGE,
    "--job-service-account",
    "rox-batch@rox-prod.iam.gserviceaccount.com",
  ],
  ...["--poll-interval", "60", "--max-wait", "240"],
];

const printed = captureConsole();

async function dryRun(args = ARGS): Promise<Plan[]> {
  printed.out.length = 0;
  await scheduleCommand([...args, "--dry-run"]);
  const plans = JSON.parse(printed.out.join("\n")) as Plan | Plan[]; // one plan is printed as itself
  return Array.isArray(plans) ? plans : [plans];
}

const apply = () => scheduleCommand([...ARGS, "--run-endpoint", run.url, "--endpoint", scheduler.address]);

const OPERATION = { name: `${PARENT}/operations/op-1`, done: false };
const CONTAINER_ARGS = [
  ...["launch", "batch", "--schema", "flights", "--input", "gs://rox-prod-events/flights/dt={date}/*.jsonl"],
  ...["--date", "yesterday", "--time-zone", "Europe/Berlin"],
  ...["--project", "rox-prod", "--region", "europe-west1", "--template", "gs://rox-prod-dataflow/templates/batch.json"],
  ...["--temp-location", "gs://rox-prod-dataflow/tmp", "--service-account", SCHEDULER_SA, "--max-workers", "4"],
  ...["--label", "team=data", "--label", "rox-schedule=rox-batch-flights"],
  ...["--param", "dataset=rox_events", "--param", "format=jsonl"],
  ...["--wait-until-done", "--poll-interval", "60", "--max-wait", "240"],
];
const JOB_BODY = {
  labels: { "rox-job": "batch", "rox-schema": "flights" },
  template: {
    taskCount: 1,
    template: {
      containers: [{ image: IMAGE, command: ["rox"], args: CONTAINER_ARGS }],
      serviceAccount: "rox-batch@rox-prod.iam.gserviceaccount.com",
      maxRetries: 1,
      timeout: `${240 * 60 + 3600}s`, // the wait for DONE, then an hour to launch and finalize
    },
  },
};

test("a new job: jobs.create with the exact body, then a Scheduler job POSTing the job's :run", async () => {
  answers = [{ status: 200, body: OPERATION }];
  await apply();
  expect(received).toEqual([
    { method: "POST", path: `/v2/${PARENT}/jobs`, query: { jobId: "rox-batch-flights" }, body: JOB_BODY },
  ]);
  expect(scheduler.requests.map((r) => r.method)).toEqual(["CreateJob"]);
  const { parent, job } = scheduler.requests[0].request as { parent: string; job: Record<string, unknown> };
  const target = job.httpTarget as Record<string, unknown>;
  expect(parent).toBe(PARENT);
  expect({ ...job, httpTarget: { ...target, body: (target.body as Buffer).toString("utf8") } }).toEqual({
    name: JOB,
    description:
      "rox: run the Cloud Run job rox-batch-flights (rox launch batch flights --wait-until-done)" +
      " for the previous day's partition, then lands it",
    schedule: "0 2 * * *",
    timeZone: "Europe/Berlin",
    httpTarget: {
      uri: `https://run.googleapis.com/v2/${JOB}:run`,
      httpMethod: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
      oauthToken: { serviceAccountEmail: SCHEDULER_SA, scope: "https://www.googleapis.com/auth/cloud-platform" },
    },
    retryConfig: { retryCount: 3 },
  });
  expect(printed.out).toEqual([
    `created Cloud Run job rox-batch-flights (operation ${OPERATION.name})`,
    `created Cloud Scheduler job ${JOB}: "0 2 * * *" (Europe/Berlin)`,
  ]);
});

test("an existing job (409) is replaced by PATCH, same body; --dry-run printed what was sent", async () => {
  answers = [
    { status: 409, body: { error: { code: 409, message: `'${JOB}' already exists.`, status: "ALREADY_EXISTS" } } },
    { status: 200, body: OPERATION },
  ];
  await apply();
  expect(received.map((r) => [r.method, r.path, r.query])).toEqual([
    ["POST", `/v2/${PARENT}/jobs`, { jobId: "rox-batch-flights" }],
    ["PATCH", `/v2/${JOB}`, {}],
  ]);
  expect(received[1].body).toEqual({ name: JOB, ...JOB_BODY });

  const [job, schedule] = await dryRun();
  expect([job.method, schedule.method]).toEqual([`POST /v2/${PARENT}/jobs`, "CreateJob"]);
  expect((job.request as { job: unknown }).job).toEqual(received[0].body);
  const sent = scheduler.requests[0].request as { job: { httpTarget: { body: Buffer } } };
  const planned = schedule.request as CreateSchedulerJobRequest;
  expect(sent.job.httpTarget.body.toString("base64")).toBe(planned.job.httpTarget.body);
});

test("the container's launch is the direct one but for yesterday (in the schedule's zone) and its run", async () => {
  const [job] = (await dryRun()) as unknown as [RunJobPlans["job"]];
  const args = job.request.job.template.template.containers[0].args;
  const before = resolveDay("yesterday", Date.now(), "Europe/Berlin");
  expect(args[0]).toBe("launch"); // `rox launch …`: the command's own argv follows
  const launch = (await launchCommand([...args.slice(1), "--dry-run"])) as Plan<LaunchFlexTemplateRequest>;
  const after = resolveDay("yesterday", Date.now(), "Europe/Berlin");
  const [direct] = await dryRun(SHARED);
  expect(printed.errors.join("\n")).toContain("lands only in its staging tables until `rox jobs finalize");
  const directBody = scheduledLaunchBody((direct.request as CreateSchedulerJobRequest).job) as Omit<
    LaunchFlexTemplateRequest,
    "projectId" | "location"
  >;

  const { jobName, parameters, environment } = launch.request.launchParameter;
  const day = parameters.input.match(/dt=(\d{4}-\d{2}-\d{2})\//)![1];
  expect([before, after]).toContain(day);
  const { runId, ...own } = parameters;
  expect(runId).toMatch(/^\d{8}t\d{6}-[0-9a-f]{6}$/);
  expect(jobName).toBe(`rox-batch-flights-${day.replace(/-/g, "")}-${runId}`);
  const { input: _template, ...directOwn } = directBody.launchParameter.parameters;
  expect(own).toEqual({ ...directOwn, input: `gs://rox-prod-events/flights/dt=${day}/*.jsonl` });
  const { additionalUserLabels: labels, ...env } = environment;
  const { additionalUserLabels: directLabels, ...directEnv } = directBody.launchParameter.environment;
  expect(env).toEqual(directEnv);
  expect(labels).toEqual({ ...directLabels, "rox-partition": day, "rox-run": runId });
  expect(launch.request.launchParameter.containerSpecGcsPath).toBe(directBody.launchParameter.containerSpecGcsPath);
});

test.each([
  [["--schemas-dir", "schemas"], "--schemas-dir does not apply with --target cloud-run-job"],
  [["--metadata", "metadata.json"], "--metadata does not apply with --target cloud-run-job"],
  [["--date", "2001-01-02"], "--date does not apply with --target cloud-run-job"],
  [["--job-name", "nightly"], "--job-name does not apply with --target cloud-run-job"],
  [["--local"], "pass --local or --target, not both"],
  [["--max-wait", "10080"], "a Cloud Run task runs at most 168 hours"],
  [["--target", "cloud-run"], "--target must be one of dataflow, cloud-run-job"],
])("%j is a usage error before any call: %s", async (extra, message) => {
  const error = await scheduleCommand([...ARGS, ...extra, "--run-endpoint", run.url]).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).toContain(message);
  expect(received).toEqual([]);
});

test("Cloud Run-only flags are refused on the direct target; --time-zone only says when yesterday was", async () => {
  await expect(scheduleCommand([...SHARED, "--image", IMAGE, "--dry-run"])).rejects.toThrow(
    "--image applies only with --target cloud-run-job",
  );
  const [, , ...launchArgs] = CONTAINER_ARGS;
  const fixed = launchArgs.map((a) => (a === "yesterday" ? "2001-01-02" : a));
  await expect(launchCommand(["batch", ...fixed, "--dry-run"])).rejects.toThrow(
    "--time-zone applies only with --date yesterday",
  );
});
