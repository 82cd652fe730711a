/**
 * The ML pipeline's train → register on Google Cloud (`platform=gcp`), each step run as its container runs it
 * (`runStep` with main's command table), against: a Vertex AI JobService stand-in (an in-test gRPC server built from
 * the protos @google-cloud/aiplatform ships) whose CustomJob really runs the trainer container's entry point
 * (python/rox_ml/train.py with the job's args and env, reading the `bq://` slice from bqemulator) and puts its model
 * in fake-gcs-server at `<baseOutputDirectory>/model`, as Vertex AI's AIP_MODEL_DIR; the registry's `models` table
 * in bqemulator and its store in fake-gcs-server.
 *
 * Asserted: the exact CreateCustomJob and GetCustomJob requests; the train step's result is the job's model folder
 * and the register step registers that very model; a rerun reuses the job; a failed job fails the train step with
 * the job's error message (exit 6), so the pipeline stops before register.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { commands } from "../../launcher/main";
import { exitCodeOf } from "../../launcher/errors";
import { findMlPython, repoRoot } from "../../launcher/models/python";
import type { RegisteredModel } from "../../launcher/models/registry";
import { runStep, type StepOptions } from "../../launcher/pipeline/steps";
import type { CreateCustomJobRequest } from "../../launcher/train/vertex-plans";
import { TrainingJobFailedError } from "../../launcher/train/vertex-wait";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { writeFlightSample } from "../../tools/sample/flights";
import { landInEmulator, useBigQueryEmulator } from "../support/bigquery-emulator";
import { captureConsole } from "../support/console-capture";
import { startTestGcsEmulator, type TestGcsEmulator } from "../support/gcs-emulator";
import { startWireServer, type WireServer } from "../support/grpc-wire-server";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";

const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/aiplatform/package.json")), "build", "protos");
const DATASET = "rox_pipeline_gcp";
const STORE = "gs://rox-test-registry/models";
const OUTPUT = "gs://rox-test-train/train";

/** The stand-in's jobs by name: the create request, the state Vertex would report, the error of a failed job. */
interface StandInJob {
  request: CreateCustomJobRequest;
  state: string;
  error?: { code: number; message: string };
}

describeNeeds(
  "ml-python",
  "bigquery-emulator",
  "gcs-emulator",
)("the pipeline's train → register on Google Cloud (Vertex AI stand-in, emulators)", () => {
  const bq = useBigQueryEmulator();
  captureConsole();
  let gcs: TestGcsEmulator;
  let vertex: WireServer;
  let work: ReturnType<typeof tempDir>;
  let config: string;
  let landed = 0;
  let jobs = new Map<string, StandInJob>();
  /** What the next created job does: run the trainer, or fail as a crashed replica does. */
  let outcome: "train" | "fail" = "train";
  const parent = () => `projects/${bq.emulator!.projectId}/locations/europe-west4`;

  beforeAll(async () => {
    work = tempDir("pipeline-gcp");
    gcs = (await startTestGcsEmulator())!;
    const storage = await createStorageClient({ apiEndpoint: gcs.endpoint, projectId: "test" });
    await storage.createBucket("rox-test-train");
    await storage.createBucket("rox-test-registry");
    vertex = await startWireServer({
      protoRoot,
      protoFile: "google/cloud/aiplatform/v1/job_service.proto",
      service: "google.cloud.aiplatform.v1.JobService",
      handlers: {
        ListCustomJobs: (r) => ({
          customJobs: [...jobs.entries()]
            .filter(
              ([, job]) => String(r.filter) === `labels.rox_trigger="${job.request.customJob.labels.rox_trigger}"`,
            )
            .map(([name, job]) => answer(name, job)),
        }),
        CreateCustomJob: (r) => {
          const request = r as unknown as CreateCustomJobRequest;
          const name = `${request.parent}/customJobs/${jobs.size + 1}`;
          const job: StandInJob = { request, state: "JOB_STATE_PENDING" };
          jobs.set(name, job);
          const created = answer(name, job);
          void runJob(job);
          return created;
        },
        GetCustomJob: (r) => answer(String(r.name), jobs.get(String(r.name))!),
      },
    });
    config = path.join(work.dir, "rox.config.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        region: "europe-west4",
        train: { image: "europe-west4-docker.pkg.dev/p/rox/trainer:1", outputUri: OUTPUT },
      }),
    );
    if (!bq.emulator) return;
    const input = path.join(work.dir, "events");
    await writeFlightSample({
      outDir: input,
      format: "jsonl",
      by: "day",
      from: "2001-01-03",
      to: "2001-01-05",
      limit: 3000,
    });
    landed = await landInEmulator(bq.emulator, DATASET, input, work.dir);
  }, 600_000);
  afterAll(async () => {
    await vertex?.stop();
    await gcs?.stop();
    work?.cleanup();
  });
  beforeEach(() => {
    jobs = new Map();
    vertex.requests.length = 0;
  });

  const answer = (name: string, job: StandInJob) => ({
    name,
    displayName: job.request.customJob.displayName,
    labels: job.request.customJob.labels,
    jobSpec: job.request.customJob.jobSpec,
    state: job.state,
    ...(job.error ? { error: job.error } : {}),
  });

  /** What Vertex AI does with a CustomJob: run the container once, its model written to AIP_MODEL_DIR. */
  async function runJob(job: StandInJob): Promise<void> {
    job.state = "JOB_STATE_RUNNING";
    if (outcome === "fail") {
      job.state = "JOB_STATE_FAILED";
      job.error = { code: 3, message: "The replica workerpool0-0 exited with a non-zero status of 1." };
      return;
    }
    const container = job.request.customJob.jobSpec.workerPoolSpecs[0].containerSpec;
    const modelDir = path.join(work.dir, `model-${job.request.customJob.displayName}`);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    const code = await new Promise<number | null>((resolve) =>
      spawn(findMlPython()!, ["-m", "rox_ml.train", ...container.args], {
        env: {
          ...process.env,
          ...env,
          AIP_MODEL_DIR: modelDir,
          PYTHONPATH: path.join(repoRoot(), "python"),
          ROX_BIGQUERY_ENDPOINT: bq.emulator!.apiEndpoint,
        },
        stdio: ["ignore", "ignore", "inherit"],
      }).once("close", resolve),
    );
    if (code !== 0) {
      job.state = "JOB_STATE_FAILED";
      job.error = { code: 3, message: `the trainer exited with ${code}` };
      return;
    }
    const [bucket, ...prefix] = job.request.customJob.jobSpec.baseOutputDirectory.outputUriPrefix
      .slice("gs://".length)
      .split("/");
    const storage = await createStorageClient({ apiEndpoint: gcs.endpoint, projectId: "test" });
    for (const file of fs.readdirSync(modelDir))
      await storage.bucket(bucket).upload(path.join(modelDir, file), {
        destination: [...prefix, "model", file].join("/"),
      });
    job.state = "JOB_STATE_SUCCEEDED";
  }

  /** main's command table, as the step's container runs it, pointed at this test's servers. */
  const cli = (argv: string[]) => {
    const [name, ...rest] = argv;
    const bigquery = ["--bigquery-endpoint", bq.emulator!.apiEndpoint];
    const extra: Record<string, string[]> = {
      train: [...bigquery, "--config", config, "--endpoint", vertex.address, "--poll-interval", "0.2"],
      models: [...bigquery, "--storage-endpoint", gcs.endpoint],
    };
    return commands[name]([...rest, ...(extra[name] ?? [])]);
  };
  const options = (upstream = ""): StepOptions => ({
    day: "2001-01-04",
    schema: "flights",
    model: "flights-delay",
    inputTemplate: "",
    platform: "gcp",
    warehouse: `${bq.emulator!.projectId}.${DATASET}`,
    store: STORE,
    upstream,
    failOnAlert: true,
  });
  const requestsOf = (method: string) => vertex.requests.filter((r) => r.method === method);

  test("train waits for the CustomJob and hands register its AIP_MODEL_DIR; a rerun reuses the job", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    outcome = "train";
    const folder = await runStep("train", options(), cli);
    const [create] = requestsOf("CreateCustomJob");
    const request = create.request as unknown as CreateCustomJobRequest;
    const outputDir = request.customJob.jobSpec.baseOutputDirectory.outputUriPrefix;
    expect(outputDir.startsWith(`${OUTPUT}/`)).toBe(true);
    expect(folder).toBe(`${outputDir}/model`);
    expect(request.parent).toBe(parent());
    const gets = requestsOf("GetCustomJob");
    expect(gets.length).toBeGreaterThanOrEqual(1);
    expect(gets.every((g) => g.request.name === `${parent()}/customJobs/1`)).toBe(true);
    expect(vertex.requests.map((r) => r.method).slice(0, 2)).toEqual(["ListCustomJobs", "CreateCustomJob"]);

    const registered = await runStep("register", options(folder), cli);
    expect(registered).toBe("flights-delay@1");
    const [model] = (await cli(["models", "list", "flights-delay", ...registryArgs()])) as RegisteredModel[];
    expect(model).toMatchObject({ name: "flights-delay", version: 1, uri: `${STORE}/flights-delay/v1` });
    const card = (await cli(["models", "show", "flights-delay@1", ...registryArgs()])) as {
      lineage: { rows: number };
    };
    expect(card.lineage.rows).toBe(landed);

    // The same data again: the succeeded job is found and reused (nothing created), its folder handed on again.
    vertex.requests.length = 0;
    expect(await runStep("train", options(), cli)).toBe(folder);
    expect(requestsOf("CreateCustomJob")).toHaveLength(0);
    expect(await runStep("register", options(folder), cli)).toBe("flights-delay@1");
  }, 600_000);

  test("a failed CustomJob fails the train step with the job's error message (exit 6)", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    outcome = "fail";
    const err = await runStep("train", options(), cli).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingJobFailedError);
    expect((err as Error).message).toBe(
      `Vertex AI CustomJob ${parent()}/customJobs/1 ended JOB_STATE_FAILED: ` +
        "The replica workerpool0-0 exited with a non-zero status of 1.",
    );
    expect(exitCodeOf(err)).toBe(6);
  }, 300_000);

  const registryArgs = () => [
    ...["--warehouse", "bigquery", "--project", bq.emulator!.projectId, "--dataset", DATASET, "--store", STORE],
  ];
});
