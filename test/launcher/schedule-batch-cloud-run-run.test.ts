/**
 * A scheduled batch run lands with no human step: the args `rox schedule batch --target cloud-run-job` plans for its
 * Cloud Run job, run here as a real `node bin/rox.js` process (only the two endpoints appended), launch the template,
 * poll the job until DONE and finalize it into bqemulator: events, window rows, dead letters and `job_runs`. A second
 * run of the same args — the same day — adds nothing. The Dataflow API is an in-test gRPC server built from the
 * client's protos; the "job" it runs stages a day of real flights (and injected faults) into the run's staging tables
 * with the shared ingest steps (test/support/dataflow-run-stage.ts), under the run id the launch carried.
 */
import * as fs from "fs";
import * as path from "path";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { readJsonLines } from "../../io/files/json-lines";
import { scheduleCommand } from "../../launcher/commands/schedule";
import { resolveDay } from "../../launcher/models/day";
import { injectFaults } from "../../tools/sample/faults";
import { writeFlightSample } from "../../tools/sample/flights";
import type { RunJobPlans } from "../../launcher/schedule/run-job-plan";
import { useBigQueryEmulator } from "../support/bigquery-emulator";
import { captureConsole } from "../support/console-capture";
import { stageAsDataflowRun } from "../support/dataflow-run-stage";
import { startWireServer, type WireServer } from "../support/grpc-wire-server";
import { itNeeds } from "../support/prerequisites";
import { runRox } from "../support/rox-cli";
import { tempDir } from "../support/temp";

const bq = useBigQueryEmulator();
const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/dataflow/package.json")), "build", "protos");
const DATASET = "rox_scheduled";
const ZONE = "America/New_York";
const V1 = "google.dataflow.v1beta3";

/** The stand-in's jobs by id: the run id its launch carried, and its state (DONE once its staging tables are full). */
interface JobState {
  name: string;
  runId: string;
  state: string;
  staged?: Promise<void>;
}
const jobs = new Map<string, JobState>();
let dataflow: WireServer;
let work: ReturnType<typeof tempDir>;
let input: string;
let rows = 0;
let bad = 0;

const jobOf = (id: string) => {
  const { name, runId, state } = jobs.get(id)!;
  return { id, name, type: "JOB_TYPE_BATCH", currentState: state, labels: { "rox-run": runId } };
};

/** LaunchFlexTemplate starts the "job": the run's staging tables are filled while it is RUNNING; GetJob reports it. */
function launch(request: Record<string, unknown>) {
  const { jobName, parameters } = request.launchParameter as { jobName: string; parameters: Record<string, string> };
  const id = `2026-01-01_02_00_0${jobs.size}-4242`;
  const job: JobState = { name: jobName, runId: parameters.runId, state: "JOB_STATE_RUNNING" };
  jobs.set(id, job);
  const target = {
    projectId: bq.emulator!.projectId,
    dataset: parameters.dataset,
    apiEndpoint: bq.emulator!.apiEndpoint,
  };
  const dir = path.join(work.dir, `job-${jobs.size}`);
  job.staged = stageAsDataflowRun({ target, runId: job.runId, input, dir, nowMs: Date.now() }).then(
    () => void (job.state = "JOB_STATE_DONE"),
    () => void (job.state = "JOB_STATE_FAILED"),
  );
  return { job: jobOf(id) };
}

beforeAll(async () => {
  work = tempDir("schedule-batch-cloud-run");
  input = path.join(work.dir, "events");
  rows = (
    await writeFlightSample({
      outDir: input,
      format: "jsonl",
      by: "day",
      from: "2001-01-02",
      to: "2001-01-03",
      limit: 600,
    })
  ).rows;
  const faults = injectFaults([...readJsonLines(path.join(input, "flights-2001-01-02.jsonl"))].slice(0, 20), 2);
  bad = faults.filter((f) => f.expect !== "duplicate").length;
  fs.writeFileSync(path.join(input, "faults.jsonl"), faults.map((f) => f.line).join("\n") + "\n");
  dataflow = await startWireServer({
    protoRoot,
    protoFile: "google/dataflow/v1beta3/templates.proto",
    service: `${V1}.FlexTemplatesService`,
    moreServices: [
      { protoFile: "google/dataflow/v1beta3/jobs.proto", service: `${V1}.JobsV1Beta3` },
      { protoFile: "google/dataflow/v1beta3/messages.proto", service: `${V1}.MessagesV1Beta3` },
    ],
    handlers: {
      LaunchFlexTemplate: launch,
      GetJob: (r) => jobOf(String(r.jobId)),
      ListJobMessages: () => ({ jobMessages: [{ messageText: "staging failed in the test" }] }),
    },
  });
}, 120_000);
afterAll(async () => {
  await dataflow?.stop();
  work?.cleanup();
});

captureConsole(); // the dry run prints its plans

/** The container's args, as `--dry-run` plans them for the Cloud Run job. */
async function plannedArgs(): Promise<string[]> {
  const plans = (await scheduleCommand([
    ...["batch", "--target", "cloud-run-job", "--cron", "0 2 * * *", "--time-zone", ZONE, "--schema", "flights"],
    ...["--input-template", "gs://rox-test-events/flights/dt={date}/*.jsonl", "--dataset", DATASET],
    ...["--project", bq.emulator!.projectId, "--region", "us-east1", "--image", "rox-launcher:test"],
    ...["--template", "gs://rox-test-dataflow/templates/batch.json", "--temp-location", "gs://rox-test-dataflow/tmp"],
    ...["--service-account", "rox-scheduler@rox-test.iam.gserviceaccount.com", "--poll-interval", "1"],
    "--dry-run",
  ])) as RunJobPlans;
  const [container] = plans.job.request.job.template.template.containers;
  expect(container.command).toEqual(["rox"]);
  return container.args;
}

interface Landed {
  events: number;
  dead: number;
  windows: string;
  runs: { runId: string; status: string; written: number; duplicates: number; deadLettered: number }[];
}

async function landed(): Promise<Landed> {
  const target = { projectId: bq.emulator!.projectId, dataset: DATASET, apiEndpoint: bq.emulator!.apiEndpoint };
  const warehouse = await BigQueryWarehouse.open(target);
  try {
    const [counts] = await warehouse.query(
      "SELECT (SELECT count(*) FROM flights) AS events, (SELECT count(*) FROM dead_letters) AS dead",
    );
    const windows = await warehouse.query("SELECT * FROM flights_origin_hourly ORDER BY origin, window_start");
    const runs = await warehouse.query(
      "SELECT runId, status, written, duplicates, deadLettered FROM job_runs ORDER BY startedAt",
    );
    return {
      events: Number(counts.events),
      dead: Number(counts.dead),
      windows: JSON.stringify(windows),
      runs: runs.map((r) => ({
        runId: String(r.runId),
        status: String(r.status),
        written: Number(r.written),
        duplicates: Number(r.duplicates),
        deadLettered: Number(r.deadLettered),
      })),
    };
  } finally {
    await warehouse.close();
  }
}

/** One execution of the Cloud Run job: its args as planned, pointed at the stand-in and bqemulator. */
async function runScheduledJob(args: string[]) {
  const requestsBefore = dataflow.requests.length;
  const days = [resolveDay("yesterday", Date.now(), ZONE)];
  const run = await runRox([...args, "--endpoint", dataflow.address, "--bigquery-endpoint", bq.emulator!.apiEndpoint]);
  days.push(resolveDay("yesterday", Date.now(), ZONE));
  const [launched] = dataflow.requests.slice(requestsBefore).filter((r) => r.method === "LaunchFlexTemplate");
  const { parameters } = launched.request.launchParameter as { parameters: Record<string, string> };
  return { ...run, parameters, days };
}

itNeeds("bigquery-emulator")(
  "the planned args launch, wait for DONE and land the day; the same day again adds nothing",
  async () => {
    const args = await plannedArgs();
    expect(args.slice(0, 2)).toEqual(["launch", "batch"]);

    const first = await runScheduledJob(args);
    expect({ code: first.code, stderr: first.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
    // The day was resolved when the process started: yesterday on the schedule's wall clock.
    const day = first.parameters.input.match(/dt=(\d{4}-\d{2}-\d{2})\//)![1];
    expect(first.days).toContain(day);
    expect(first.stdout).toMatch(/reconciles +yes/);
    expect(first.stdout).toContain("is JOB_STATE_DONE");
    const once = await landed();
    expect(once).toMatchObject({ events: rows, dead: bad });
    const windowed = JSON.parse(once.windows) as { flights: number | string }[];
    expect(windowed.reduce((sum, w) => sum + Number(w.flights), 0)).toBe(rows);
    expect(once.runs).toEqual([
      { runId: first.parameters.runId, status: "finished", written: rows, duplicates: 0, deadLettered: bad },
    ]);

    const again = await runScheduledJob(args);
    expect({ code: again.code, stderr: again.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(again.parameters.input).toBe(first.parameters.input);
    expect(again.parameters.runId).not.toBe(first.parameters.runId);
    const twice = await landed();
    // Nothing added: the same events, dead letters and window rows; the second run is recorded, having written none.
    expect({ ...twice, runs: twice.runs.slice(0, 1) }).toEqual(once);
    expect(twice.runs[1]).toEqual({
      runId: again.parameters.runId,
      status: "finished",
      written: 0,
      duplicates: rows,
      deadLettered: bad,
    });
    await Promise.all([...jobs.values()].map((j) => j.staged));
    expect([...jobs.values()].map((j) => j.state)).toEqual(["JOB_STATE_DONE", "JOB_STATE_DONE"]);
  },
  600_000,
);
