/**
 * `rox score --runner dataflow` short of Dataflow itself, against the BigQuery emulator and fake-gcs-server: the
 * model registered in a `gs://` store; `--dry-run` prints the job request and the feature query; the feature rows
 * staged in Cloud Storage by the command itself (its submission then refused: no Dataflow here); the scoring graph's DoFns run on the DirectRunner (the model and
 * the rows read from `gs://` as on a worker), its rows put into the run's staging tables as the Storage Write creates
 * them; `--finalize-run` lands them. The predictions equal the DirectRunner BigQuery scorer's on the same events,
 * a rerun adds nothing, and a run is finalized once. `--wait-until-done` (as the Cloud Run job of `rox schedule score
 * --runner dataflow` runs it) submits, polls the job through the real Dataflow client against an in-test Jobs API
 * server (built from the protos @google-cloud/dataflow ships) until DONE, and lands the run in the same process.
 */
import * as fs from "fs";
import * as path from "path";
import * as beam from "../../transforms/beam/sdk";
import { modelsCommand } from "../../launcher/commands/models";
import { scoreCommand } from "../../launcher/commands/score";
import { trainCommand } from "../../launcher/commands/train";
import { BigQueryJobs } from "../../io/gcp/bigquery/bigquery-client";
import { freeLoopbackPort } from "../../io/emulator-process";
import { deadLettersSpec } from "../../io/gcp/bigquery/bigquery-tables";
import { createStorageClient } from "../../io/gcp/gcs/gcs-client";
import { stopGcsSync } from "../../io/gcp/gcs/gcs-sync";
import { JsonLinesFileSink } from "../../io/files/beam-files";
import { runBatchJob } from "../../pipelines/batch-job";
import { runDirect } from "../../pipelines/direct";
import { scoreGraphOf } from "../../pipelines/dataflow/score-graph";
import { bigQueryPredictionsTableSchema, type BigQueryField } from "../../schemas/bigquery";
import { PortableRowCoder } from "../../pipelines/dataflow/row-coder";
import { beamRowSchema } from "../../pipelines/dataflow/row-schema";
import { readJsonLines } from "../../io/files/json-lines";
import { encodeRow } from "../dataflow/row-coder-java";
import { Reader } from "protobufjs";
import { loadContract } from "../../schemas/load";
import type { JobSummary } from "../../transforms/summary";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { captureConsole } from "../support/console-capture";
import { writeLikeStorageWrite } from "../support/dataflow-run-stage";
import { startTestGcsEmulator, type TestGcsEmulator } from "../support/gcs-emulator";
import { describeNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { startWireServer, type WireServer } from "../support/grpc-wire-server";
import type { ScoreSubmitter } from "../../launcher/models/score-dataflow";
import type { ScoreJobPlans } from "../../launcher/models/cloud-run-plan";
import { scheduleCommand } from "../../launcher/commands/schedule";
import { flightsWarehouse, trainConfig } from "./fixture";

const DIRECT = "rox_score_direct";
const DATAFLOW = "rox_score_dataflow";
const WAITED = "rox_score_waited";
const DAYS = ["2001-01-08", "2001-01-09"];
const DAY = DAYS[1];
const STORE = "gs://rox-models/models";
const dataflowProtos = path.join(
  path.dirname(require.resolve("@google-cloud/dataflow/package.json")),
  "build",
  "protos",
);

describeNeeds(
  "ml-python",
  "bigquery-emulator",
  "gcs-emulator",
)("rox score --runner dataflow (emulators)", () => {
  const bq = useBigQueryEmulator();
  const captured = captureConsole();
  let gcs: TestGcsEmulator;
  let work: ReturnType<typeof tempDir>;
  let dataflowJobs: WireServer;
  /** The Dataflow Jobs API stand-in: each job is RUNNING at its first GetJob and DONE from the second on. */
  const polls = new Map<string, number>();
  beforeAll(async () => {
    work = tempDir("score-dataflow");
    dataflowJobs = await startWireServer({
      protoRoot: dataflowProtos,
      protoFile: "google/dataflow/v1beta3/jobs.proto",
      service: "google.dataflow.v1beta3.JobsV1Beta3",
      handlers: {
        GetJob: (r) => {
          const seen = (polls.get(String(r.jobId)) ?? 0) + 1;
          polls.set(String(r.jobId), seen);
          const state = seen === 1 ? "JOB_STATE_RUNNING" : "JOB_STATE_DONE";
          return { id: r.jobId, projectId: r.projectId, location: r.location, name: "rox-score", currentState: state };
        },
      },
    });
    gcs = (await startTestGcsEmulator())!;
    const storage = await createStorageClient({ apiEndpoint: gcs.endpoint, projectId: "test" });
    await storage.createBucket("rox-models");
    await storage.createBucket("rox-tmp");
    if (!bq.emulator) return;
    const duckdb = await flightsWarehouse(work.dir, DAYS, 1500);
    for (const dataset of [DIRECT, DATAFLOW, WAITED])
      await inEmulatorDataset(bq.emulator, dataset, (w) =>
        runBatchJob({ input: path.join(work.dir, "events"), schema: "flights", workDir: work.dir }, w),
      );
    for (const dataset of [DIRECT, DATAFLOW, WAITED]) await nullAFeature(dataset);
    const config = trainConfig(work.dir);
    const trained = await trainCommand(["--model", "flights-delay", "--warehouse", duckdb, "--config", config]);
    for (const dataset of [DIRECT, DATAFLOW, WAITED])
      await modelsCommand(["register", "--from", trained.local!.modelDir, "--alias", "champion", ...where(dataset)]);
  }, 900_000);
  afterAll(async () => {
    await dataflowJobs?.stop();
    await stopGcsSync();
    await gcs?.stop();
    work?.cleanup();
  });

  const where = (dataset: string) => [
    ...["--warehouse", "bigquery", "--project", bq.emulator!.projectId, "--dataset", dataset],
    ...["--bigquery-endpoint", bq.emulator!.apiEndpoint, "--store", STORE, "--storage-endpoint", gcs.endpoint],
  ];
  const score = (...args: string[]) =>
    scoreCommand(["--model", "flights-delay@champion", "--on", "flights", "--partition", DAY, ...args]);
  const dataflowFlags = ["--runner", "dataflow", "--region", "europe-west1", "--temp-location", "gs://rox-tmp/t"];
  const query = (dataset: string, sql: string) => inEmulatorDataset(bq.emulator!, dataset, (w) => w.query(sql));
  const predictionsOf = async (dataset: string) =>
    new Map(
      (await query(dataset, "SELECT event_id, prediction, model_version, score_run_id FROM flights_predictions")).map(
        (r) => [String(r.event_id), r],
      ),
    );
  const target = (dataset = DATAFLOW) => ({
    projectId: bq.emulator!.projectId,
    dataset,
    apiEndpoint: bq.emulator!.apiEndpoint,
  });

  /** The same two events of the day lose a feature in both datasets: each scorer must dead-letter them. */
  async function nullAFeature(dataset: string): Promise<void> {
    const jobs = await BigQueryJobs.connect({ ...target(), dataset });
    const flights = `\`${bq.emulator!.projectId}.${dataset}.flights\``;
    const ofDay = `FORMAT_DATE('%Y-%m-%d', DATE(\`date\`)) = @day`;
    const pick = `SELECT event_id FROM ${flights} WHERE ${ofDay} ORDER BY event_id LIMIT 2`;
    const ids = (await jobs.run(pick, "pick", { params: { day: DAY } })).map((r) => String(r.event_id));
    const update = `UPDATE ${flights} SET hour_of_day = NULL WHERE event_id IN UNNEST(@ids)`;
    await jobs.run(update, "null a feature", { params: { ids } });
  }
  /** Score dead letters, the feature row less the ingest run's id (each dataset was loaded by its own run). */
  const downloadText = async (uri: string) => {
    const [bucket, ...object] = uri.replace("gs://", "").split("/");
    const storage = await createStorageClient({ apiEndpoint: gcs.endpoint, projectId: "test" });
    return (await storage.bucket(bucket).file(object.join("/")).download())[0].toString("utf8");
  };
  const deadLettersOf = async (dataset: string) =>
    (await query(dataset, "SELECT sourceUri, errorStage, errorClass, messageId, payloadString FROM dead_letters"))
      .filter((r) => r.errorStage === "score")
      .sort((a, b) => String(a.sourceUri).localeCompare(String(b.sourceUri)))
      .map(({ payloadString, ...r }: Record<string, unknown>) => {
        const { run_id: _run, ...row } = JSON.parse(String(payloadString)) as Record<string, unknown>;
        return { ...r, row };
      });

  /** The job's part, short of Dataflow: the plan, the staged rows, the graph's DoFns, the Storage Write's tables. */
  async function runLikeDataflow(runId: string): Promise<Record<string, unknown>> {
    captured.out.length = 0;
    await score(...dataflowFlags, ...where(DATAFLOW), "--run-id", runId, "--dry-run");
    const plan = JSON.parse(captured.out.splice(0).join("\n")) as {
      parameters: Record<string, string>;
      featureRows: { query: string; stagedAs: string };
    };
    // The command itself, up to the submission: it stages the feature rows, then finds Dataflow unreachable (exit 5).
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const submit = score(...dataflowFlags, ...where(DATAFLOW), "--run-id", runId, "--dataflow-endpoint", closed);
    await expect(submit).rejects.toMatchObject({ kind: "cloud", name: "ServiceUnreachableError" });
    const staged = await downloadText(plan.featureRows.stagedAs);
    expect(staged.trim().split("\n").length).toBeGreaterThan(1000);
    await runGraphLikeDataflow(plan.parameters, DATAFLOW);
    return plan;
  }

  /** What the Dataflow job does with its parameters: the graph's DoFns, its rows into the run's staging tables. */
  async function runGraphLikeDataflow(parameters: Record<string, string>, dataset: string): Promise<void> {
    const runId = parameters.runId;
    const dir = path.join(work.dir, runId);
    fs.mkdirSync(dir, { recursive: true });
    const files = { predictions: path.join(dir, "predictions.jsonl"), deadLetters: path.join(dir, "dead.jsonl") };
    const toFile = (name: string, file: string) => async (rows: beam.PCollection<Record<string, unknown>>) => {
      rows.apply(beam.withName(name, beam.parDo(new JsonLinesFileSink(), { path: file })));
      return undefined;
    };
    Object.values(files).forEach((f) => fs.writeFileSync(f, ""));
    await runDirect(
      scoreGraphOf(parameters, {
        predictions: toFile("stage predictions", files.predictions),
        deadLetters: toFile("stage dead letters", files.deadLetters),
      }),
    );
    const jobs = await BigQueryJobs.connect(target(dataset));
    const contract = loadContract("flights");
    const fields = bigQueryPredictionsTableSchema(contract).fields;
    expectRowsCrossToJava(fields, files.predictions);
    await writeLikeStorageWrite(jobs, `flights_predictions__run_${runId}`, fields, files.predictions, dir);
    await writeLikeStorageWrite(jobs, `dead_letters__run_${runId}`, deadLettersSpec().fields, files.deadLetters, dir);
  }

  /** Every prediction row the DoFn made round-trips through the row coder the Storage Write is fed with. */
  function expectRowsCrossToJava(fields: BigQueryField[], file: string): void {
    const coder = new PortableRowCoder(beamRowSchema({ fields }));
    for (const row of readJsonLines(file)) {
      const back = coder.decode(new Reader(encodeRow(coder, row)));
      expect([back.event_id, back.prediction, String(back.model_version)]).toEqual([
        row.event_id,
        row.prediction,
        String(row.model_version),
      ]);
    }
  }

  test("--dry-run plans a score job on Dataflow: the graph's parameters, jobs.create, the feature query", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    const plan = (await runLikeDataflow("dfscore1")) as {
      parameters: Record<string, string>;
      jobsCreate: { url: string; body: { type: string; labels: Record<string, string> } };
    };
    expect(plan.parameters).toMatchObject({
      schema: "flights",
      dataset: DATAFLOW,
      model: "flights-delay",
      modelVersion: "1",
      modelUri: `${STORE}/flights-delay/v1`,
      featureRows: "gs://rox-tmp/t/rox-score/dfscore1/feature-rows.jsonl",
      runId: "dfscore1",
    });
    expect(plan.jobsCreate.url).toBe(
      `https://dataflow.googleapis.com/v1b3/projects/${bq.emulator.projectId}/locations/europe-west1/jobs`,
    );
    expect(plan.jobsCreate.body.type).toBe("JOB_TYPE_BATCH");
    expect(plan.jobsCreate.body.labels).toMatchObject({
      "rox-job": "score",
      "rox-schema": "flights",
      "rox-run": "dfscore1",
    });
  }, 300_000);

  test("finalize lands the staged predictions, equal to the DirectRunner scorer's; a rerun adds nothing", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    const direct = (await score(...where(DIRECT))) as JobSummary;
    const events = direct.read;
    expect(events).toBeGreaterThan(1000);
    expect(direct).toMatchObject({ written: events - 2, deadLettered: 2 });
    const landed = (await score(...dataflowFlags, ...where(DATAFLOW), "--finalize-run", "dfscore1")) as JobSummary;
    expect(landed).toMatchObject({ runId: "dfscore1", read: events, written: events - 2, deadLettered: 2 });
    expect(landed.byReason).toEqual({ "score/feature.missing": 2 });
    expect(await deadLettersOf(DATAFLOW)).toEqual(await deadLettersOf(DIRECT));
    const expected = await predictionsOf(DIRECT);
    const actual = await predictionsOf(DATAFLOW);
    expect(actual.size).toBe(events - 2);
    for (const [id, row] of actual) {
      expect(row).toMatchObject({ model_version: 1, score_run_id: "dfscore1" });
      expect(Math.abs(Number(row.prediction) - Number(expected.get(id)?.prediction))).toBeLessThanOrEqual(1e-9);
    }
    const jobs = await BigQueryJobs.connect(target());
    expect(await jobs.tableExists("flights_predictions__run_dfscore1")).toBe(false);

    await runLikeDataflow("dfscore2");
    const rerun = (await score(...dataflowFlags, ...where(DATAFLOW), "--finalize-run", "dfscore2")) as JobSummary;
    expect(rerun).toMatchObject({ read: events, written: 0, deadLettered: 2, duplicates: events - 2 });
    expect(rerun.byTable.dead_letters).toBe(0);
    expect((await predictionsOf(DATAFLOW)).size).toBe(events - 2);
    expect(await deadLettersOf(DATAFLOW)).toHaveLength(2);
    const runs = await query(DATAFLOW, "SELECT runId, status, written FROM job_runs WHERE runId LIKE 'dfscore%'");
    expect(runs.sort((a, b) => String(a.runId).localeCompare(String(b.runId)))).toEqual([
      { runId: "dfscore1", status: "finished", written: events - 2 },
      { runId: "dfscore2", status: "finished", written: 0 },
    ]);
    await expect(score(...dataflowFlags, ...where(DATAFLOW), "--finalize-run", "dfscore1")).rejects.toMatchObject({
      kind: "input",
    });
  }, 600_000);

  test("the scheduled Cloud Run job's rox score on Dataflow: submit, wait for DONE, land the day", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    // The container's command as `rox schedule score --target cloud-run-job --runner dataflow` plans it.
    const plans = (await scheduleCommand([
      ...["score", "--target", "cloud-run-job", "--dry-run", "--cron", "30 3 * * *", "--image", "rox:test"],
      ...["--model", "flights-delay@champion", "--on", "flights", "--runner", "dataflow"],
      ...["--temp-location", "gs://rox-tmp/t", "--poll-interval", "0.05"],
      ...["--warehouse", "bigquery", "--dataset", WAITED, "--store", STORE],
      ...["--project", bq.emulator.projectId, "--region", "europe-west1"],
      ...["--service-account", "s@rox-test.iam.gserviceaccount.com"],
    ])) as ScoreJobPlans;
    const planned = plans.job.request.job.template.template.containers[0].args;
    expect(planned).toEqual([
      ...["score", "--model", "flights-delay@champion", "--on", "flights"],
      ...["--partition", "yesterday", "--time-zone", "Etc/UTC"],
      ...["--warehouse", "bigquery", "--project", bq.emulator.projectId, "--dataset", WAITED, "--store", STORE],
      ...["--runner", "dataflow", "--region", "europe-west1", "--temp-location", "gs://rox-tmp/t"],
      ...["--wait-until-done", "--poll-interval", "0.05"],
    ]);
    const direct = await predictionsOf(DIRECT);
    let jobs = 0;
    /** Dataflow short of Dataflow: the submitted graph's parameters run as its job would run them. */
    const likeDataflow: ScoreSubmitter = {
      submit: async (submission) => {
        await runGraphLikeDataflow(submission.parameters, WAITED);
        return { jobId: `2001-01-10_03_30_00-${++jobs}` };
      },
    };
    // The fixture's 2001 day for `yesterday`; the emulators and the Jobs API stand-in for Google's endpoints.
    const scheduledRun = (runId: string) =>
      scoreCommand(
        [
          ...planned.slice(1).map((arg) => (arg === "yesterday" ? DAY : arg)),
          ...["--bigquery-endpoint", bq.emulator!.apiEndpoint, "--storage-endpoint", gcs.endpoint],
          ...["--jobs-endpoint", dataflowJobs.address, "--run-id", runId],
        ],
        likeDataflow,
      ) as Promise<JobSummary>;
    dataflowJobs.requests.length = 0;
    const landed = await scheduledRun("dfwait1");
    const events = landed.read;
    expect(landed).toMatchObject({ runId: "dfwait1", written: events - 2, deadLettered: 2 });
    const getJob = (jobId: string) => ({
      method: "GetJob",
      request: { projectId: bq.emulator!.projectId, location: "europe-west1", jobId, view: "JOB_VIEW_SUMMARY" },
    });
    const first = "2001-01-10_03_30_00-1";
    expect(dataflowJobs.requests).toEqual([getJob(first), getJob(first)]);
    const actual = await predictionsOf(WAITED);
    expect(actual.size).toBe(direct.size);
    for (const [id, row] of actual) {
      expect(row).toMatchObject({ model_version: 1, score_run_id: "dfwait1" });
      expect(Math.abs(Number(row.prediction) - Number(direct.get(id)?.prediction))).toBeLessThanOrEqual(1e-9);
    }
    const staging = await BigQueryJobs.connect(target(WAITED));
    expect(await staging.tableExists("flights_predictions__run_dfwait1")).toBe(false);

    // The job run again for the same day (Cloud Run's retry, or a second trigger): it lands nothing new.
    const rerun = await scheduledRun("dfwait2");
    expect(rerun).toMatchObject({ read: events, written: 0, deadLettered: 2, duplicates: events - 2 });
    expect((await predictionsOf(WAITED)).size).toBe(direct.size);
    const runs = await query(WAITED, "SELECT runId, status FROM job_runs WHERE runId LIKE 'dfwait%'");
    expect(runs.sort((a, b) => String(a.runId).localeCompare(String(b.runId)))).toEqual([
      { runId: "dfwait1", status: "finished" },
      { runId: "dfwait2", status: "finished" },
    ]);
  }, 600_000);

  test("--wait-until-done is refused with --finalize-run, and its polling flags without it", async () => {
    const base = ["--model", "m@champion", "--on", "flights", "--partition", DAY, ...dataflowFlags];
    await expect(
      scoreCommand([...base, "--warehouse", "bigquery", "--wait-until-done", "--finalize-run", "r"]),
    ).rejects.toThrow("--wait-until-done submits and lands the run itself: not with --finalize-run");
    await expect(scoreCommand([...base, "--warehouse", "bigquery", "--poll-interval", "5"])).rejects.toThrow(
      "--poll-interval applies only with --wait-until-done",
    );
    await expect(
      scoreCommand(["--model", "m@champion", "--on", "flights", "--partition", DAY, "--wait-until-done"]),
    ).rejects.toThrow("--wait-until-done applies to --runner dataflow only");
  });
});
