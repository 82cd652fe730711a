/**
 * `rox schedule score --target cloud-run-job` on the wire: a real HTTP server in the test answers as
 * run.googleapis.com (the Admin API v2's REST surface) and the in-test gRPC server as Cloud Scheduler, with the real
 * @google-cloud/scheduler client; the requests they receive are the ones `--dry-run` prints.
 */
import * as path from "path";
import { scheduleCommand } from "../../launcher/commands/schedule";
import { CloudApiError } from "../../launcher/cloud/errors";
import { UsageError } from "../../launcher/errors";
import { resolveDay } from "../../launcher/models/day";
import type { Plan } from "../../launcher/plan";
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
const JOB = `${PARENT}/jobs/rox-score-flights-delay`;

let received: JsonRequest[] = [];
let answers: JsonAnswer[] = [];
let run: JsonWireServer;
let runUrl: string;
let scheduler: WireServer;

beforeAll(async () => {
  run = await startJsonWireServer((request) => {
    received.push(request);
    return answers.shift() ?? { status: 500, body: { error: { message: "unexpected request" } } };
  });
  runUrl = run.url;
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

const ARGS = [
  "score",
  "--target",
  "cloud-run-job",
  "--cron",
  "30 3 * * *",
  "--time-zone",
  "Europe/Berlin",
  "--model",
  "flights-delay@champion",
  "--on",
  "flights",
  "--image",
  "europe-west1-docker.pkg.dev/rox-prod/rox/rox:1",
  "--warehouse",
  "bigquery",
  "--dataset",
  "rox_events",
  "--store",
  "gs://rox-prod-models/models",
  "--project",
  "rox-prod",
  "--region",
  "europe-west1",
  "--service-account",
  "rox-scheduler@rox-prod.iam.gserviceaccount.com",
  "--job-service-account",
  "rox-scorer@rox-prod.iam.gserviceaccount.com",
];

const printed = captureConsole();

async function dryRun(): Promise<Plan[]> {
  printed.out.length = 0;
  await scheduleCommand([...ARGS, "--dry-run"]);
  return JSON.parse(printed.out.join("\n")) as Plan[];
}

const apply = () => scheduleCommand([...ARGS, "--run-endpoint", runUrl, "--endpoint", scheduler.address]);

const OPERATION = { name: `${PARENT}/operations/op-1`, done: false };
const JOB_BODY = {
  labels: { "rox-job": "score", "rox-model": "flights-delay" },
  template: {
    taskCount: 1,
    template: {
      containers: [
        {
          image: "europe-west1-docker.pkg.dev/rox-prod/rox/rox:1",
          command: ["rox"],
          args: [
            ...["score", "--model", "flights-delay@champion", "--on", "flights"],
            ...["--partition", "yesterday", "--time-zone", "Europe/Berlin"],
            ...["--warehouse", "bigquery", "--project", "rox-prod", "--dataset", "rox_events"],
            ...["--store", "gs://rox-prod-models/models"],
          ],
        },
      ],
      serviceAccount: "rox-scorer@rox-prod.iam.gserviceaccount.com",
      maxRetries: 1,
      timeout: "3600s",
    },
  },
};

test("a new job: jobs.create with the exact body, then a Scheduler job POSTing the job's :run", async () => {
  answers = [{ status: 200, body: OPERATION }];
  await apply();
  expect(received).toEqual([
    { method: "POST", path: `/v2/${PARENT}/jobs`, query: { jobId: "rox-score-flights-delay" }, body: JOB_BODY },
  ]);
  expect(scheduler.requests.map((r) => r.method)).toEqual(["CreateJob"]);
  const { parent, job } = scheduler.requests[0].request as { parent: string; job: Record<string, unknown> };
  const target = job.httpTarget as Record<string, unknown>;
  expect(parent).toBe(PARENT);
  expect({ ...job, httpTarget: { ...target, body: (target.body as Buffer).toString("utf8") } }).toEqual({
    name: JOB,
    description:
      "rox: run the Cloud Run job rox-score-flights-delay (rox score flights-delay@champion on flights)" +
      " for the previous day",
    schedule: "30 3 * * *",
    timeZone: "Europe/Berlin",
    httpTarget: {
      uri: `https://run.googleapis.com/v2/${JOB}:run`,
      httpMethod: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
      oauthToken: {
        serviceAccountEmail: "rox-scheduler@rox-prod.iam.gserviceaccount.com",
        scope: "https://www.googleapis.com/auth/cloud-platform",
      },
    },
    retryConfig: { retryCount: 3 },
  });
});

test("an existing job (409) is replaced by PATCH, same body; --dry-run printed what was sent", async () => {
  answers = [
    {
      status: 409,
      body: { error: { code: 409, message: `Resource '${JOB}' already exists.`, status: "ALREADY_EXISTS" } },
    },
    { status: 200, body: OPERATION },
  ];
  await apply();
  expect(received.map((r) => [r.method, r.path, r.query])).toEqual([
    ["POST", `/v2/${PARENT}/jobs`, { jobId: "rox-score-flights-delay" }],
    ["PATCH", `/v2/${JOB}`, {}],
  ]);
  expect(received[1].body).toEqual({ name: JOB, ...JOB_BODY });
  expect(printed.out.join("\n")).toContain(
    `replaced Cloud Run job rox-score-flights-delay (operation ${OPERATION.name})`,
  );

  const [job, schedule] = await dryRun();
  expect([job.method, schedule.method]).toEqual([`POST /v2/${PARENT}/jobs`, "CreateJob"]);
  expect((job.request as { job: unknown }).job).toEqual(received[0].body);
  const sent = scheduler.requests[0].request as { job: { httpTarget: { body: Buffer } } };
  const planned = schedule.request as typeof sent & { parent: string };
  expect({ ...sent, job: { ...sent.job, httpTarget: { ...sent.job.httpTarget, body: "" } } }).toEqual({
    ...planned,
    job: { ...planned.job, httpTarget: { ...planned.job.httpTarget, body: "" } },
  });
  expect(sent.job.httpTarget.body.toString("base64")).toBe(planned.job.httpTarget.body);
});

test("Cloud Run refusing the create is a typed error naming the call; no Scheduler job is made", async () => {
  answers = [{ status: 403, body: { error: { code: 403, message: "Permission 'run.jobs.create' denied" } } }];
  const error = (await apply().catch((e: unknown) => e)) as CloudApiError;
  expect(error).toBeInstanceOf(CloudApiError);
  expect(error.message).toBe(`POST /v2/${PARENT}/jobs failed (permission-denied): Permission 'run.jobs.create' denied`);
  expect(scheduler.requests).toHaveLength(0);
});

test("`--partition yesterday` is the day before the run's start on the schedule's wall clock", () => {
  const at = Date.parse("2026-03-01T23:30:00Z"); // already 2 March in Berlin, still 1 March in UTC
  expect(resolveDay("yesterday", at, "Europe/Berlin")).toBe("2026-03-01");
  expect(resolveDay("yesterday", at, "Etc/UTC")).toBe("2026-02-28");
  expect(resolveDay("yesterday", at)).toBe("2026-02-28");
  expect(resolveDay("2001-01-15", at)).toBe("2001-01-15");
  expect(() => resolveDay("yesterday", at, "Mars/Olympus")).toThrow(/unknown time zone/);
});

test("a job id Cloud Run would refuse is a usage error before any call", async () => {
  await expect(scheduleCommand([...ARGS, "--job-id", "Score_Flights", "--dry-run"])).rejects.toThrow(UsageError);
  await expect(scheduleCommand([...ARGS, "--job-id", `rox-${"x".repeat(60)}`, "--dry-run"])).rejects.toThrow(
    /≤ 63 \(--job-id\)/,
  );
  expect(received).toEqual([]);
});

describe("--runner dataflow: the job's rox score runs on Dataflow, waits for DONE and lands the day", () => {
  const ON_DATAFLOW = [...ARGS, "--runner", "dataflow", "--temp-location", "gs://rox-prod-tmp/score"];

  test("the container's args add the Dataflow flags and --wait-until-done; the task outlasts the wait", async () => {
    printed.out.length = 0;
    await scheduleCommand([...ON_DATAFLOW, "--sdk-container-image", "w:1", "--max-wait", "120", "--dry-run"]);
    const [job] = JSON.parse(printed.out.join("\n")) as Plan<{ job: typeof JOB_BODY }>[];
    const template = job.request.job.template.template;
    expect(template.containers[0].args).toEqual([
      ...JOB_BODY.template.template.containers[0].args,
      ...["--runner", "dataflow", "--region", "europe-west1", "--temp-location", "gs://rox-prod-tmp/score"],
      ...["--sdk-container-image", "w:1", "--wait-until-done", "--max-wait", "120"],
    ]);
    expect(template.timeout).toBe(`${120 * 60 + 3600}s`);
  });

  test.each<[string[], string]>([
    [["--temp-location", "gs://t/x"], "--temp-location applies to --runner dataflow"],
    [["--runner", "dataflow"], "missing --temp-location"],
    [["--runner", "dataflow", "--temp-location", "gs://t/x", "--store", "models"], "with a gs:// model store"],
  ])("refused before anything is sent: %j", async (extra, message) => {
    await expect(scheduleCommand([...ARGS, ...extra, "--dry-run"])).rejects.toThrow(message);
  });
});
