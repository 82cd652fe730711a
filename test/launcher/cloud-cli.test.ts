import * as fs from "fs";
import * as path from "path";
import { MissingSettingError } from "../../launcher/cloud/errors";
import { jobsCommand } from "../../launcher/commands/jobs";
import { launchCommand } from "../../launcher/commands/launch";
import { scheduleCommand } from "../../launcher/commands/schedule";
import { UpdateIncompatibleError } from "../../launcher/dataflow/errors";
import { UsageError } from "../../launcher/errors";
import { renderPlans, type Plan } from "../../launcher/plan";
import { startWireServer, type WireServer } from "../support/grpc-wire-server";
import { tempDir } from "../support/temp";

/** The commands in-process: what they print (console.log captured) and what they refuse before any request. */
const temp = tempDir("cloud-cli");
const configFile = (name: string, config: object) => {
  const file = path.join(temp.dir, name);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
};
const full = configFile("full.json", {
  project: "rox-test",
  region: "europe-west1",
  dataflow: {
    parameters: { dataset: "rox_events" },
    batch: { template: "gs://t/batch.json" },
    stream: { template: "gs://t/stream.json" },
  },
  schedule: { serviceAccountEmail: "rox-scheduler@rox-test.iam.gserviceaccount.com" },
});
const noProject = configFile("no-project.json", {
  region: "europe-west1",
  dataflow: { batch: { template: "gs://t/batch.json" } },
});
const noRegion = configFile("no-region.json", {
  project: "rox-test",
  dataflow: { batch: { template: "gs://t/batch.json" } },
});

let printed: string[] = [];
let server: WireServer;
beforeAll(async () => {
  // Every request reaching this server is recorded: the refusals below must leave it empty.
  const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/dataflow/package.json")), "build", "protos");
  const job = {
    id: "2001-01-02_j",
    name: "rox-stream-flights",
    type: "JOB_TYPE_STREAMING",
    labels: { "rox-job": "stream", "rox-schema": "flights" },
  };
  server = await startWireServer({
    protoRoot,
    protoFile: "google/dataflow/v1beta3/jobs.proto",
    service: "google.dataflow.v1beta3.JobsV1Beta3",
    handlers: {
      GetJob: () => ({ ...job, currentState: "JOB_STATE_RUNNING", currentStateTime: { seconds: "978400800" } }),
      UpdateJob: () => ({ ...job, currentState: "JOB_STATE_RUNNING", requestedState: "JOB_STATE_DRAINING" }),
    },
  });
});
afterAll(async () => {
  await server?.stop();
  temp.cleanup();
});
beforeEach(() => {
  server.requests.length = 0;
  printed = [];
  jest.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(args.join(" ")));
});
afterEach(() => jest.restoreAllMocks());

const launchArgs = [
  "batch",
  "--schema",
  "flights",
  "--input",
  "gs://rox-test-events/dt={date}/*.jsonl",
  "--date",
  "2001-01-01",
  "--run-id",
  "r1",
];

test("rox launch --dry-run prints the plan and nothing else", async () => {
  const plan = (await launchCommand([...launchArgs, "--config", full, "--dry-run"])) as Plan;
  expect(printed).toEqual([renderPlans([plan])]);
  expect(JSON.parse(printed[0])).toMatchObject({
    method: "LaunchFlexTemplate",
    request: {
      projectId: "rox-test",
      location: "europe-west1",
      launchParameter: {
        jobName: "rox-batch-flights-20010101-r1",
        parameters: { input: "gs://rox-test-events/dt=2001-01-01/*.jsonl" },
      },
    },
  });
});

test("rox launch sends the plan it would print and prints the job and its console link", async () => {
  const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/dataflow/package.json")), "build", "protos");
  const flex = await startWireServer({
    protoRoot,
    protoFile: "google/dataflow/v1beta3/templates.proto",
    service: "google.dataflow.v1beta3.FlexTemplatesService",
    handlers: {
      LaunchFlexTemplate: (request) => ({
        job: {
          id: "2001-01-02_j",
          name: (request.launchParameter as { jobName: string }).jobName,
          currentState: "JOB_STATE_QUEUED",
        },
      }),
    },
  });
  try {
    const plan = (await launchCommand([...launchArgs, "--config", full, "--dry-run"])) as Plan;
    printed = [];
    await launchCommand([...launchArgs, "--config", full, "--endpoint", flex.address]);
    expect(flex.requests).toEqual([{ method: "LaunchFlexTemplate", request: plan.request }]);
    expect(printed).toEqual([
      "launched rox-batch-flights-20010101-r1 as 2001-01-02_j (JOB_STATE_QUEUED)\nhttps://console.cloud.google.com/dataflow/jobs/europe-west1/2001-01-02_j?project=rox-test",
    ]);
  } finally {
    await flex.stop();
  }
});

test("flags reach the plan: --param, --label, --max-workers, --region", async () => {
  const args = [
    ...launchArgs,
    "--config",
    full,
    "--dry-run",
    "--param",
    "replace=true",
    "--label",
    "owner=ops",
    "--max-workers",
    "5",
    "--region",
    "us-central1",
  ];
  await launchCommand(args);
  const plan = JSON.parse(printed[0]);
  expect(plan.request.location).toBe("us-central1");
  expect(plan.request.launchParameter.parameters).toMatchObject({ replace: "true" });
  expect(plan.request.launchParameter.environment).toMatchObject({
    maxWorkers: 5,
    additionalUserLabels: { owner: "ops" },
  });
});

test.each([
  ["launch", "project", () => launchCommand([...launchArgs, "--config", noProject, "--endpoint", server.address])],
  ["launch", "region", () => launchCommand([...launchArgs, "--config", noRegion, "--endpoint", server.address])],
  [
    "jobs status",
    "project",
    () => jobsCommand(["status", "--job-id", "j1", "--config", noProject, "--endpoint", server.address]),
  ],
  [
    "jobs cancel",
    "region",
    () => jobsCommand(["cancel", "--job-id", "j1", "--config", noRegion, "--endpoint", server.address]),
  ],
  [
    "schedule",
    "project",
    () =>
      scheduleCommand([
        "batch",
        "--cron",
        "0 2 * * *",
        "--input-template",
        "gs://rox-b/{date}/*",
        "--schema",
        "flights",
        "--config",
        noProject,
        "--endpoint",
        server.address,
      ]),
  ],
])("rox %s without a %s fails before any call, naming it", async (_name, setting, run) => {
  const error = (await run().catch((e: unknown) => e)) as MissingSettingError;
  expect(error).toBeInstanceOf(MissingSettingError);
  expect(error.setting).toBe(setting);
  expect(error.message).toMatch(
    new RegExp(`^missing ${setting}: pass --${setting} or set "${setting}" in rox.config.json$`),
  );
  expect(server.requests).toEqual([]);
});

test("missing credentials are named before any call", async () => {
  const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
  process.env.GOOGLE_APPLICATION_CREDENTIALS = path.join(temp.dir, "no-such-key.json");
  try {
    const error = (await jobsCommand(["status", "--job-id", "j1", "--config", full]).catch(
      (e: unknown) => e,
    )) as MissingSettingError;
    expect(error).toBeInstanceOf(MissingSettingError);
    expect(error.setting).toBe("credentials");
    expect(error.message).toMatch(
      /^missing credentials: run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS/,
    );
  } finally {
    if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
  }
});

test("rox jobs status and drain send their request and print one readable answer", async () => {
  await jobsCommand(["status", "--job-id", "2001-01-02_j", "--config", full, "--endpoint", server.address]);
  await jobsCommand(["drain", "--job-id", "2001-01-02_j", "--config", full, "--endpoint", server.address]);
  expect(server.requests.map((r) => [r.method, r.request.jobId])).toEqual([
    ["GetJob", "2001-01-02_j"],
    ["UpdateJob", "2001-01-02_j"],
  ]);
  expect(printed).toEqual([
    [
      "rox-stream-flights (2001-01-02_j)",
      "  type   JOB_TYPE_STREAMING",
      "  state  JOB_STATE_RUNNING since 2001-01-02T02:00:00.000Z",
      "  labels rox-job=stream rox-schema=flights",
    ].join("\n"),
    "draining rox-stream-flights (2001-01-02_j)",
  ]);
});

test("rox jobs drain --dry-run prints the UpdateJob plan", async () => {
  await jobsCommand([
    "drain",
    "--job-id",
    "2001-01-02_j",
    "--project",
    "p",
    "--region",
    "r",
    "--config",
    full,
    "--dry-run",
  ]);
  expect(JSON.parse(printed[0])).toEqual({
    summary: "drain Dataflow job 2001-01-02_j in p/r",
    service: "google.dataflow.v1beta3.JobsV1Beta3",
    method: "UpdateJob",
    request: { projectId: "p", location: "r", jobId: "2001-01-02_j", job: { requestedState: "JOB_STATE_DRAINING" } },
  });
});

test("rox jobs update batch is refused with what to do instead, before reading any settings", async () => {
  const error = await jobsCommand(["update", "batch", "--schema", "flights"]).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UpdateIncompatibleError);
  expect((error as Error).message).toBe(
    "the flights batch job cannot be updated in place: batch jobs cannot be updated in place. Cancel it (rox jobs cancel --job-id <id>) and launch the partition again: a rerun replaces it",
  );
});

test("rox jobs update stream --dry-run plans an update checked against the previous schemas", async () => {
  const args = [
    "update",
    "stream",
    "--schema",
    "flights",
    "--previous-schemas-dir",
    path.join(__dirname, "..", "..", "schemas"),
    "--subscription",
    "projects/rox-test/subscriptions/flights-stream",
    "--transform-mapping",
    "a=b",
    "--config",
    full,
    "--dry-run",
  ];
  await jobsCommand(args);
  expect(JSON.parse(printed[0]).request.launchParameter).toMatchObject({
    jobName: "rox-stream-flights",
    update: true,
    transformNameMappings: { a: "b" },
  });
});

test("rox schedule batch --dry-run prints the CreateJob plan; --local --dry-run the next ticks", async () => {
  await scheduleCommand([
    "batch",
    "--cron",
    "0 2 * * *",
    "--input-template",
    "gs://rox-b/dt={date}/*",
    "--schema",
    "flights",
    "--config",
    full,
    "--dry-run",
  ]);
  expect(JSON.parse(printed[0])).toMatchObject({
    method: "CreateJob",
    request: { parent: "projects/rox-test/locations/europe-west1", job: { schedule: "0 2 * * *" } },
  });
  printed = [];
  await scheduleCommand([
    "batch",
    "--local",
    "--cron",
    "0 2 * * *",
    "--time-zone",
    "Etc/UTC",
    "--input-template",
    "data/{date}.jsonl",
    "--schema",
    "flights",
    "--lock-file",
    path.join(temp.dir, "x.lock"),
    "--dry-run",
  ]);
  const local = JSON.parse(printed[0]);
  expect(local.request.next).toHaveLength(5);
  expect(local.request.next[0].argv).toEqual([
    "batch",
    "--input",
    `data/${local.request.next[0].partition}.jsonl`,
    "--schema",
    "flights",
  ]);
});

test("usage errors: no job, an unknown job, a malformed --param", async () => {
  await expect(launchCommand(["--schema", "flights"])).rejects.toThrow(UsageError);
  await expect(launchCommand(["nightly", "--schema", "flights"])).rejects.toThrow(
    '--job must be one of batch, stream (got "nightly")',
  );
  await expect(launchCommand([...launchArgs, "--config", full, "--param", "novalue", "--dry-run"])).rejects.toThrow(
    '--param must be key=value (got "novalue")',
  );
});
