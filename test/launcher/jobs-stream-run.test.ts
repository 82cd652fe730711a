/**
 * A streaming Dataflow job's `job_runs` row from its metrics: `rox jobs status|drain` with the real
 * @google-cloud/dataflow clients against an in-test server built from the protos they ship (JobsV1Beta3 and
 * MetricsV1Beta3's `GetJobMetrics`), and BigQuery as bqemulator holding the stream's dataset as the submission
 * prepares it, with the run's appended events (one id re-sent) standing in for what the job wrote.
 *
 * Asserted: the exact GetJobMetrics request; the row's counts from the committed user counters and the duplicates
 * tally (`read = written + deadLettered + duplicates`); `running` while the job runs or drains, `finished` once
 * drained; one row per job however often the commands run; `--dry-run --dataset` plans the metrics request too.
 */
import * as path from "path";
import { jobsCommand } from "../../launcher/commands/jobs";
import { prepareStreamDataset } from "../../pipelines/dataflow/prepare-stream-windows";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { startWireServer, type WireServer } from "../support/grpc-wire-server";
import { describeNeeds } from "../support/prerequisites";

const protoRoot = path.join(path.dirname(require.resolve("@google-cloud/dataflow/package.json")), "build", "protos");
const bq = useBigQueryEmulator();
const DATASET = "rox_stream_runs";
const JOB_ID = "2001-01-02_00_00_00-stream";
const RUN_ID = "stream-20010102t000000-abc123";
const REGION = "europe-west1";

/** The job as Dataflow describes it: submitted by rox (its labels), in the given state. */
let state = "JOB_STATE_RUNNING";
const job = () => ({
  id: JOB_ID,
  name: "rox-stream-flights",
  type: "JOB_TYPE_STREAMING",
  currentState: state,
  createTime: { seconds: "978393600" },
  currentStateTime: { seconds: "978400800" },
  labels: { "rox-job": "stream", "rox-schema": "flights", "rox-run": RUN_ID },
});

/** A user counter as Dataflow reports it: committed (no `tentative`) or tentative, per step. */
const counter = (name: string, value: number, step: string, tentative = false) => ({
  name: { origin: "user", name, context: { step, namespace: "beam", ...(tentative ? { tentative: "true" } : {}) } },
  kind: "SUM",
  cumulative: true,
  scalar: { numberValue: value },
});
const METRICS = {
  metricTime: { seconds: "978400800" },
  metrics: [
    counter("records_read", 7, "s1"),
    counter("records_read", 9, "s1", true),
    counter("events_sent_to_write", 5, "s4"),
    counter("events_refused_by_write", 1, "s5"),
    counter("dead_letters_sent_to_write", 2, "s6"),
    counter("dead_letters_sent_to_write", 1, "s7"),
    {
      name: { origin: "dataflow/v1b3", name: "ElementCount", context: { output_user_name: "x" } },
      scalar: { numberValue: 99 },
    },
  ],
};

let server: WireServer;
let printed: string[] = [];
beforeAll(async () => {
  server = await startWireServer({
    protoRoot,
    protoFile: "google/dataflow/v1beta3/jobs.proto",
    service: "google.dataflow.v1beta3.JobsV1Beta3",
    moreServices: [
      { protoFile: "google/dataflow/v1beta3/metrics.proto", service: "google.dataflow.v1beta3.MetricsV1Beta3" },
    ],
    handlers: {
      GetJob: () => job(),
      UpdateJob: () => ({ ...job(), requestedState: "JOB_STATE_DRAINING" }),
      GetJobMetrics: () => METRICS,
    },
  });
});
afterAll(async () => server?.stop());
beforeEach(() => {
  server.requests.length = 0;
  printed = [];
  jest.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(args.join(" ")));
});
afterEach(() => jest.restoreAllMocks());

describeNeeds("bigquery-emulator")("a stream's job_runs row from its Dataflow metrics", () => {
  const flags = () => [
    "--job-id",
    JOB_ID,
    "--project",
    bq.emulator!.projectId,
    "--region",
    REGION,
    "--endpoint",
    server.address,
    "--dataset",
    DATASET,
    "--bigquery-endpoint",
    bq.emulator!.apiEndpoint,
  ];
  const rows = () =>
    inEmulatorDataset(bq.emulator!, DATASET, (warehouse) =>
      warehouse.query(
        "SELECT runId, job, schema, status, owner, `read`, written, deadLettered, duplicates, startedAt, " +
          `finishedAt FROM \`${bq.emulator!.projectId}.${DATASET}.job_runs\``,
      ),
    );

  beforeAll(async () => {
    const emulator = bq.emulator!;
    await inEmulatorDataset(emulator, DATASET, (warehouse) =>
      warehouse.query(`CREATE SCHEMA \`${emulator.projectId}.${DATASET}\``),
    );
    await prepareStreamDataset(
      { project: emulator.projectId, dataset: DATASET, schema: "flights" },
      { apiEndpoint: emulator.apiEndpoint },
    );
    // What the job appended: 4 landed rows, `a` twice (a re-sent id Pub/Sub's dedupe let through).
    const appended = ["a", "b", "a", "c"].map(
      (id, i) =>
        `('${id}', TIMESTAMP '2001-01-02 10:00:00', 5, 100, 'LAS', 'SFO', 'test', '${RUN_ID}', ` +
        `TIMESTAMP '2001-01-02 12:00:0${i}')`,
    );
    await inEmulatorDataset(emulator, DATASET, (warehouse) =>
      warehouse.query(
        `INSERT INTO \`${emulator.projectId}.${DATASET}.flights__appended\` ` +
          "(event_id, date, delay, distance, origin, destination, _source, _run_id, _ingested_at) " +
          `VALUES ${appended.join(", ")}`,
      ),
    );
  }, 120_000);

  test("status of a running stream writes a running row; drain and a later status rewrite the same row", async () => {
    state = "JOB_STATE_RUNNING";
    await jobsCommand(["status", ...flags()]);
    expect(server.requests.map((r) => r.method)).toEqual(["GetJob", "GetJobMetrics"]);
    expect(server.requests[1].request).toEqual({
      projectId: bq.emulator!.projectId,
      location: REGION,
      jobId: JOB_ID,
    });
    const counts = { read: 7, written: 3, deadLettered: 3, duplicates: 1 };
    let [row] = await rows();
    expect(row).toMatchObject({
      runId: RUN_ID,
      job: "stream",
      schema: "flights",
      status: "running",
      owner: `dataflow:${JOB_ID}`,
      startedAt: "2001-01-02T00:00:00.000Z",
    });
    expect(Object.fromEntries(Object.keys(counts).map((k) => [k, Number(row[k])]))).toEqual(counts);
    expect(printed[1]).toBe(
      `recorded run ${RUN_ID} in ${bq.emulator!.projectId}.${DATASET}.job_runs (running): read 7, written 3, ` +
        "dead-lettered 3, duplicates 1",
    );

    state = "JOB_STATE_DRAINING";
    server.requests.length = 0;
    await jobsCommand(["drain", ...flags()]);
    // UpdateJob answers with the job (its labels): no second GetJob before the metrics.
    expect(server.requests.map((r) => r.method)).toEqual(["UpdateJob", "GetJobMetrics"]);
    state = "JOB_STATE_DRAINED";
    await jobsCommand(["status", ...flags()]);
    await jobsCommand(["status", ...flags()]);
    const all = await rows();
    expect(all).toHaveLength(1);
    [row] = all;
    expect(row).toMatchObject({ runId: RUN_ID, status: "finished", finishedAt: "2001-01-02T02:00:00.000Z" });
    expect(Object.fromEntries(Object.keys(counts).map((k) => [k, Number(row[k])]))).toEqual(counts);
  }, 120_000);

  test("--dry-run with --dataset plans the GetJobMetrics request beside the GetJob", async () => {
    await jobsCommand(["status", ...flags(), "--dry-run"]);
    expect(server.requests).toEqual([]);
    expect(JSON.parse(printed[0])).toEqual([
      expect.objectContaining({ method: "GetJob" }),
      {
        summary: `get the metrics of Dataflow job ${JOB_ID} in ${bq.emulator!.projectId}/${REGION}`,
        service: "google.dataflow.v1beta3.MetricsV1Beta3",
        method: "GetJobMetrics",
        request: { projectId: bq.emulator!.projectId, location: REGION, jobId: JOB_ID },
      },
    ]);
  });
});
