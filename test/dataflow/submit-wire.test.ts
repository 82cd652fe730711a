/**
 * Dataflow submission at the wire: the real batch and streaming graphs, built by the CLI and by the Flex Template
 * entry point, go through the real Python Dataflow job service (the venv of scripts/setup-beam.sh) to a stand-in of
 * the Dataflow REST API (`--dataflow_endpoint`). Python authenticates with a test service-account key whose token
 * endpoint is the stand-in, and stages the job's artifacts to Cloud Storage — fake-gcs-server, reached through a
 * proxy that stands in for Google's hosts (https_proxy, a test CA). Java expands the cross-language transforms (the
 * GCP expansion service started here, its BigQuery calls through the same proxy). BigQuery is bqemulator behind the
 * same proxy: the submission of a stream creates its window views there before the job (`prepareStreamDataset`).
 *
 * Asserted: the command waits for Dataflow's answer and prints the job id and console URL; the `jobs.create` body
 * (type, worker image, experiments, labels, temp and staging locations); the staged artifacts in the bucket; a
 * refused create and an unreachable endpoint end with a clear error and exit code 5; a stream's window views and
 * partials tables exist once it is submitted.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { beamServicePaths, GCP_EXPANSION_SERVICE_TARGET } from "../../pipelines/beam-services";
import { startTestGcsEmulator, type TestGcsEmulator } from "../support/gcs-emulator";
import { inEmulatorDataset, startTestBigQueryEmulator, type TestBigQueryEmulator } from "../support/bigquery-emulator";
import { tempDir } from "../support/temp";
import { freeLoopbackPort } from "../../io/emulator-process";
import { startDataflowStandIn, writeTestKey, type DataflowJobBody, type DataflowStandIn } from "./dataflow-standin";
import { startExpansionService, type ExpansionService } from "./expansion-service";
import { makeGoogleHostsTls, startGoogleProxy, type GoogleProxy } from "./google-proxy";
import { unmet } from "../support/prerequisites";

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = "rox-wire-project";
const BUCKET = "rox-wire-staging";
const DATASET = "rox_events";
const WORKER_IMAGE = "europe-west1-docker.pkg.dev/rox-wire-project/rox/worker:1";
const paths = beamServicePaths();
const work = tempDir("submit-wire");

let gcs: TestGcsEmulator | undefined;
let bq: TestBigQueryEmulator | undefined;
let standIn: DataflowStandIn;
let proxy: GoogleProxy;
let expansion: ExpansionService;
let env: NodeJS.ProcessEnv;
// npm test builds dist/ before jest runs, so the template entry point is always there.
const skipReason = unmet("java", "beam-jar", "beam-python", "gcs-emulator", "bigquery-emulator", "tls-tools");
const wire = skipReason ? test.skip : test;

beforeAll(async () => {
  if (skipReason) return;
  gcs = await startTestGcsEmulator();
  if (!gcs) throw new Error("fake-gcs-server did not start (see the warning above)");
  await createBucket(gcs.endpoint, BUCKET);
  bq = await startTestBigQueryEmulator({ projectId: PROJECT });
  if (!bq) throw new Error("bqemulator did not start");
  await inEmulatorDataset(bq, DATASET, (warehouse) => warehouse.query(`CREATE SCHEMA \`${PROJECT}.${DATASET}\``));
  const tls = makeGoogleHostsTls(work.dir);
  standIn = await startDataflowStandIn();
  proxy = await startGoogleProxy(tls, gcs.endpoint, bq.apiEndpoint);
  const proxyPort = new URL(proxy.url).port;
  // The Java stages' environment lists the files the expansion service stages: on Dataflow its whole JAR (113 MB).
  // Here a small stand-in file keeps the upload short; what is proven is that Java's artifacts are staged at all.
  const javaArtifact = path.join(work.dir, "java-stage-artifact.jar");
  fs.writeFileSync(javaArtifact, "stand-in for the expansion service JAR");
  expansion = await startExpansionService(
    paths.gcpExpansionJar,
    tls,
    work.dir,
    ["-Dhttps.proxyHost=127.0.0.1", `-Dhttps.proxyPort=${proxyPort}`, "-Xmx512m"],
    javaArtifact,
  );
  env = {
    ...process.env,
    GOOGLE_APPLICATION_CREDENTIALS: writeTestKey(work.dir, PROJECT, standIn.tokenUri),
    https_proxy: proxy.url,
    no_proxy: "127.0.0.1,localhost",
    HTTPLIB2_CA_CERTS: tls.certFile,
    // The submission's own BigQuery calls (Node's client honours https_proxy) trust the proxy's test CA too.
    NODE_EXTRA_CA_CERTS: tls.certFile,
    BEAM_SERVICE_OVERRIDES: JSON.stringify({
      [GCP_EXPANSION_SERVICE_TARGET]: expansion.address,
      "python:*": paths.python,
    }),
    METADATA_SERVER_DETECTION: "none",
    NO_GCE_CHECK: "True",
  };
}, 180_000);

afterAll(async () => {
  await expansion?.stop();
  await proxy?.close();
  await standIn?.close();
  await gcs?.stop();
  await bq?.stop();
  work.cleanup();
});

const dataflowFlags = (job: string) => [
  "--project",
  PROJECT,
  "--region",
  "europe-west1",
  "--temp-location",
  `gs://${BUCKET}/${job}/tmp`,
  "--sdk-container-image",
  WORKER_IMAGE,
  "--dataflow-endpoint",
  standIn.endpoint,
  "--dataset",
  DATASET,
];

wire(
  "rox batch --runner dataflow: the jobs.create request, the staged artifacts, the job id and console URL",
  async () => {
    const args = [
      "batch",
      "--runner",
      "dataflow",
      "--input",
      "gs://rox-wire-events/flights/dt=2001-01-02/*.jsonl",
      "--schema",
      "flights",
      "--job-name",
      "rox-cli-batch",
      ...dataflowFlags("cli-batch"),
    ];
    const run = await rox(args);
    expect(run.code).toBe(0);
    const job = createdJob("rox-cli-batch");
    expect(run.stdout).toContain(`Dataflow job ${job.id} created (batch`);
    expect(run.stdout).toContain(
      `https://console.cloud.google.com/dataflow/jobs/europe-west1/${job.id}?project=${PROJECT}`,
    );
    expectJobRequest(job.body, await dryRun(args));
    const staged = await listObjects(gcs!.endpoint, BUCKET, "cli-batch/tmp/staging/");
    expect(staged.some((name) => name.endsWith("pipeline.pb"))).toBe(true);
    // From a checkout the SDK stages the project and the SDK as npm packages for the workers (npm pack): the project's
    // carries the compiled code the workers require by name.
    const packages = await npmPackagesAmong(gcs!.endpoint, BUCKET, staged);
    expect(packages.get("rox-gcp")).toContain("package/dist/pipelines/dataflow/ingest-graph.js");
    expect(packages.has("apache-beam")).toBe(true);
    expect(staged.some((name) => /java-stage-artifact/.test(name))).toBe(true);
  },
  600_000,
);

wire(
  "the Flex Template entry point submits the batch job the same way (no npm staging: the worker image has the project)",
  async () => {
    const run = await templateMain([
      "--input=gs://rox-wire-events/flights/dt=2001-01-03/*.jsonl",
      "--schema=flights",
      "--dataset=rox_events",
      ...templateOptions("tpl-batch", "rox-template-batch"),
    ]);
    expect(run.code).toBe(0);
    const job = createdJob("rox-template-batch");
    expect(run.stdout).toContain(`rox template: Dataflow job ${job.id} created (batch)`);
    const flags = [
      "--input",
      "gs://rox-wire-events/flights/dt=2001-01-03/*.jsonl",
      "--schema",
      "flights",
      "--job-name",
      "rox-template-batch",
    ];
    expectJobRequest(
      job.body,
      await dryRun(["batch", "--runner", "dataflow", ...flags, ...dataflowFlags("tpl-batch")]),
    );
    const staged = await listObjects(gcs!.endpoint, BUCKET, "tpl-batch/tmp/staging/");
    expect(staged.some((name) => name.endsWith("pipeline.pb"))).toBe(true);
    expect((await npmPackagesAmong(gcs!.endpoint, BUCKET, staged)).size).toBe(0);
  },
  600_000,
);

wire(
  "rox stream --runner dataflow and the template entry point submit a streaming job",
  async () => {
    const stream = (name: string, prefix: string) => [
      "stream",
      "--runner",
      "dataflow",
      "--subscription",
      `projects/${PROJECT}/subscriptions/flights-stream`,
      "--schema",
      "flights",
      "--job-name",
      name,
      ...dataflowFlags(prefix),
    ];
    const cli = await rox(stream("rox-cli-stream", "cli-stream"), { ROX_SKIP_NPM_STAGING: "1" });
    expect(cli.code).toBe(0);
    expectJobRequest(createdJob("rox-cli-stream").body, await dryRun(stream("rox-cli-stream", "cli-stream")));
    const template = await templateMain([
      `--subscription=projects/${PROJECT}/subscriptions/flights-stream`,
      "--schema=flights",
      "--dataset=rox_events",
      ...templateOptions("tpl-stream", "rox-template-stream"),
    ]);
    expect(template.code).toBe(0);
    expectJobRequest(createdJob("rox-template-stream").body, await dryRun(stream("rox-template-stream", "tpl-stream")));
    // Before each job was created, the submission made the events and window tables views over what the job appends
    // (idempotent), beside the tables the job writes or a later step merges into.
    const tables = await inEmulatorDataset(bq!, DATASET, (warehouse) =>
      warehouse.query(`SELECT table_name, table_type FROM \`${PROJECT}.${DATASET}\`.INFORMATION_SCHEMA.TABLES`),
    );
    expect(tables).toEqual(
      expect.arrayContaining([
        { table_name: "flights", table_type: "VIEW" },
        { table_name: "flights__appended", table_type: "BASE TABLE" },
        { table_name: "dead_letters", table_type: "BASE TABLE" },
        { table_name: "job_runs", table_type: "BASE TABLE" },
        { table_name: "flights_origin_hourly", table_type: "VIEW" },
        { table_name: "flights_origin_hourly__partials", table_type: "BASE TABLE" },
      ]),
    );
    expect(proxy.requests.filter((r) => r.startsWith("POST bigquery.googleapis.com")).length).toBeGreaterThan(0);
    // --dry-run prints that preparation beside the job request, and sends nothing.
    const planned = await rox([...stream("rox-cli-stream", "cli-stream"), "--dry-run"]);
    expect(JSON.parse(planned.stdout).bigQuery).toMatchObject({
      dataset: `${PROJECT}.${DATASET}`,
      mustNotBeTables: ["flights", "flights_origin_hourly"],
      tablesIfMissing: ["job_runs", "flights__appended", "dead_letters"],
      statements: [
        expect.stringMatching(/^CREATE OR REPLACE VIEW `rox-wire-project.rox_events.flights` AS SELECT /),
        expect.stringMatching(
          /^CREATE TABLE IF NOT EXISTS `rox-wire-project.rox_events.flights_origin_hourly__partials`/,
        ),
        expect.stringMatching(/^CREATE OR REPLACE VIEW `rox-wire-project.rox_events.flights_origin_hourly` AS /),
      ],
    });
  },
  600_000,
);

wire(
  "a refused jobs.create ends with Dataflow's reason and exit code 5",
  async () => {
    const run = await templateMain([
      "--input=gs://rox-wire-events/x/*.jsonl",
      "--schema=flights",
      "--dataset=rox_events",
      ...templateOptions("refused", "refuse-me"),
    ]);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/rox template: Dataflow did not create the job \(job service FAILED\): .*403/);
  },
  600_000,
);

wire(
  "an unreachable Dataflow endpoint is said at once, with exit code 5",
  async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const flags = dataflowFlags("unreachable").map((flag) => (flag === standIn.endpoint ? closed : flag));
    const run = await rox([
      "batch",
      "--runner",
      "dataflow",
      "--input",
      "gs://rox-wire-events/x/*.jsonl",
      "--schema",
      "flights",
      ...flags,
    ]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`cannot reach the Dataflow API at 127.0.0.1:${new URL(closed).port} (ECONNREFUSED)`);
  },
  120_000,
);

/** The scoring graph (rox score --runner dataflow's submission, its parameters as the command plans them). */
const SCORE_SUBMIT = `
const { planSubmission, submitToDataflow } = require("./dist/pipelines/dataflow/submit");
const { dataflowDryRun } = require("./dist/pipelines/dataflow/dry-run");
const submission = planSubmission("score", JSON.parse(process.argv[1]));
console.log(JSON.stringify(dataflowDryRun(submission).jobsCreate.body));
submitToDataflow(submission).then(
  (job) => { console.log("JOB " + job.jobId); process.exit(0); },
  (err) => { console.error(err.message); process.exit(1); },
);`;

wire(
  "the scoring graph goes through the same submission: jobs.create as planned, a batch job labelled score",
  async () => {
    const flat = {
      schema: "flights",
      dataset: "rox_events",
      model: "flights-delay",
      modelVersion: "1",
      modelUri: `gs://${BUCKET}/models/flights-delay/v1`,
      featureRows: `gs://${BUCKET}/score/tmp/rox-score/score-wire/feature-rows.jsonl`,
      runId: "score-wire",
      project: PROJECT,
      region: "europe-west1",
      tempLocation: `gs://${BUCKET}/score/tmp`,
      sdkContainerImage: WORKER_IMAGE,
      dataflowEndpoint: standIn.endpoint,
      jobName: "rox-score-wire",
    };
    const run = await runNode(["-e", SCORE_SUBMIT, JSON.stringify(flat)], { ROX_SKIP_NPM_STAGING: "1" });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    const planned = lines.find((line) => line.startsWith("{"))!;
    const created = lines[lines.length - 1];
    const job = createdJob("rox-score-wire");
    expect(created).toBe(`JOB ${job.id}`);
    expectJobRequest(job.body, JSON.parse(planned) as DataflowJobBody);
    expect(job.body).toMatchObject({ type: "JOB_TYPE_BATCH", labels: { "rox-job": "score", "rox-run": "score-wire" } });
    const staged = await listObjects(gcs!.endpoint, BUCKET, "score/tmp/staging/");
    expect(staged.some((name) => name.endsWith("pipeline.pb"))).toBe(true);
  },
  600_000,
);

function templateOptions(prefix: string, jobName: string): string[] {
  return [
    `--project=${PROJECT}`,
    "--region=europe-west1",
    `--temp_location=gs://${BUCKET}/${prefix}/tmp`,
    `--sdk_container_image=${WORKER_IMAGE}`,
    `--dataflow_endpoint=${standIn.endpoint}`,
    `--job_name=${jobName}`,
  ];
}

function createdJob(name: string): { id: string; body: DataflowJobBody } {
  const index = standIn.created.findIndex((job) => job.name === name);
  expect(index).toBeGreaterThanOrEqual(0);
  return { id: `2026-12-02_00_00_00-${index + 1}`, body: standIn.created[index] };
}

/** The request Python sent, against the one `--dry-run` plans: the same name, type, labels, experiments, images. */
function expectJobRequest(body: DataflowJobBody, planned: DataflowJobBody): void {
  expect(body.authorization).toBe("Bearer wire-test-token");
  expect({ name: body.name, type: body.type }).toStrictEqual({ name: planned.name, type: planned.type });
  const { "rox-run": run, ...labels } = body.labels;
  const { "rox-run": _plannedRun, ...plannedLabels } = planned.labels;
  expect(labels).toStrictEqual(plannedLabels);
  expect(run).toMatch(/^[a-z0-9_-]+$/);
  expect([...body.environment.experiments].sort()).toStrictEqual([...planned.environment.experiments].sort());
  expect(body.environment.tempStoragePrefix.startsWith(`${planned.environment.tempStoragePrefix}/${body.name}.`)).toBe(
    true,
  );
  const images = (pools: DataflowJobBody["environment"]["workerPools"]) =>
    pools.flatMap((pool) => pool.sdkHarnessContainerImages.map((image) => image.containerImage)).sort();
  expect(images(body.environment.workerPools)).toStrictEqual(images(planned.environment.workerPools));
  expect(images(body.environment.workerPools)).toContain(WORKER_IMAGE);
}

/** What the CLI's `--dry-run` prints for the same flags: the plan the real request is held to. */
async function dryRun(args: string[]): Promise<DataflowJobBody> {
  const run = await rox([...args, "--dry-run"]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).jobsCreate.body;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function rox(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runNode([path.join(ROOT, "bin", "rox.js"), ...args], extra);
}

function templateMain(args: string[]): Promise<Run> {
  return runNode([path.join(ROOT, "dist", "launcher", "template", "template-main.js"), ...args], {
    ROX_SKIP_NPM_STAGING: "1",
  });
}

function runNode(args: string[], extra: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...env, ...extra } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => {
      if (code !== 0 && process.env.ROX_WIRE_VERBOSE) console.log(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

async function createBucket(endpoint: string, name: string): Promise<void> {
  const res = await fetch(`${endpoint}/storage/v1/b?project=${PROJECT}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (!res.ok) throw new Error(`cannot create bucket ${name}: ${res.status} ${await res.text()}`);
}

/** The staged objects that are npm tarballs, by package name, with the paths each holds. */
async function npmPackagesAmong(endpoint: string, bucket: string, names: string[]): Promise<Map<string, string[]>> {
  const packages = new Map<string, string[]>();
  for (const name of names) {
    const res = await fetch(`${endpoint}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?alt=media`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) continue;
    const tar = zlib.gunzipSync(bytes);
    const paths = tarPaths(tar);
    const manifest = paths.includes("package/package.json") ? tarFile(tar, "package/package.json") : undefined;
    if (manifest) packages.set(JSON.parse(manifest).name, paths);
  }
  return packages;
}

function tarPaths(tar: Buffer): string[] {
  const paths: string[] = [];
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0;) {
    paths.push(tar.toString("utf8", at, at + 100).replace(/\0.*$/s, ""));
    const size = parseInt(
      tar
        .toString("utf8", at + 124, at + 136)
        .replace(/\0.*$/s, "")
        .trim() || "0",
      8,
    );
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return paths;
}

function tarFile(tar: Buffer, wanted: string): string | undefined {
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0;) {
    const name = tar.toString("utf8", at, at + 100).replace(/\0.*$/s, "");
    const size = parseInt(
      tar
        .toString("utf8", at + 124, at + 136)
        .replace(/\0.*$/s, "")
        .trim() || "0",
      8,
    );
    if (name === wanted) return tar.toString("utf8", at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

async function listObjects(endpoint: string, bucket: string, prefix: string): Promise<string[]> {
  const res = await fetch(`${endpoint}/storage/v1/b/${bucket}/o?prefix=${encodeURIComponent(prefix)}`);
  const body = (await res.json()) as { items?: { name: string }[] };
  return (body.items ?? []).map((item) => item.name);
}
