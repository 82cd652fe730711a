/**
 * The BigQuery benchmark (not a test). From the repository root, after `npx tsc -p tsconfig.json`:
 *
 *   node dist/bench/bigquery/run.js --events 200000
 *
 * On one bqemulator (installed by `bash scripts/setup-gcp-emulators.sh`): (1) the batch job into BigQuery, end to end,
 * with each chunk's prepare and commit timed; (2) the baseline, the emulator's own rate for the same rows: one plain
 * load job plus one `INSERT … SELECT … WHERE NOT EXISTS`; then (3) the same job into DuckDB, for scale. Prints
 * events/s and the ratios job / plain load. The emulator is stopped by its process group at the end, also on error.
 */
import { recordBenchResult } from "../result-file";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startBigQueryEmulator } from "../../io/gcp/bigquery/bigquery-emulator";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import type { Warehouse } from "../../io/ports";
import { writeFlightSample } from "../../tools/sample/flights";
import { runBatchJob } from "../../pipelines/batch-job";
import { loadContract } from "../../schemas/load";
import { killOnExit } from "../emulator-backstop";
import { plainLoad, type PlainLoadResult } from "./plain-load";
import { timeWarehouseSteps, type StepTime } from "./step-times";
import { secondsSince, TimedWarehouse } from "./timed-warehouse";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const BENCH_DIR = path.join(ROOT, ".rox", "bench");
const WORK = path.join(BENCH_DIR, "bigquery");
const PROJECT = "rox-bench";

interface JobRun {
  written: number;
  seconds: number;
  timed: TimedWarehouse;
}

async function main(events: number): Promise<void> {
  const input = path.join(BENCH_DIR, `flights-${events}`);
  if (!fs.existsSync(input))
    await writeFlightSample({ outDir: input, format: "jsonl", by: "month", from: "2001-01-01", limit: events });
  fs.rmSync(WORK, { recursive: true, force: true });
  const staged = path.join(WORK, "staged");
  fs.mkdirSync(staged, { recursive: true });
  process.env.METADATA_SERVER_DETECTION ??= "none"; // the Google clients would probe the GCE metadata server
  process.env.ROX_EMULATORS_DIR ??= path.join(ROOT, ".rox", "emulators"); // where the setup script put them, from any folder
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(
    `input: ${events.toLocaleString("en-US")} real flights, JSONL by month, ${input}; load average at start ${loadAverage()}`,
  );

  const emulator = await startBigQueryEmulator({ projectId: PROJECT, workDir: path.join(WORK, "emulator") });
  const backstop = killOnExit(emulator);
  let bigquery: JobRun;
  let plain: PlainLoadResult;
  const stepTimer = timeWarehouseSteps();
  try {
    const target = { projectId: PROJECT, apiEndpoint: emulator.apiEndpoint };
    bigquery = await timedJob(input, () => BigQueryWarehouse.open({ ...target, dataset: "rox_bench_job" }), staged);
    stepTimer.restore();
    plain = await plainLoad({ ...target, dataset: "rox_bench_plain" }, loadContract("flights"), staged, WORK);
  } finally {
    stepTimer.restore();
    await emulator.stop();
    backstop();
  }
  const duckdb = await timedJob(input, () => DuckDbWarehouse.open(path.join(WORK, "job.duckdb")));
  report(events, bigquery, plain, duckdb);
  printSteps(stepTimer.steps(), bigquery);
  console.log(
    `for comparison, one JS pass over all staged rows to a load file (parse, convert, write): ${plain.convertSeconds.toFixed(2)} s`,
  );
  console.log(`load average at end ${loadAverage()}`);
}

async function timedJob(input: string, open: () => Promise<Warehouse>, keepStagedIn?: string): Promise<JobRun> {
  const timed = new TimedWarehouse(await open(), keepStagedIn);
  try {
    const started = process.hrtime.bigint();
    const summary = await runBatchJob({ input, schema: "flights", workDir: WORK }, timed);
    return { written: summary.written, seconds: secondsSince(started), timed };
  } finally {
    await timed.close();
  }
}

function report(events: number, bigquery: JobRun, plain: PlainLoadResult, duckdb: JobRun): void {
  console.log("\nBigQuery job, per chunk (the pipeline's own time is the rest of the end-to-end time):");
  console.table(
    bigquery.timed.chunks.map((c) => ({
      events: c.events,
      "prepare s": c.prepareSeconds.toFixed(2),
      "commit s": c.commitSeconds.toFixed(2),
    })),
  );
  const inWarehouse = (run: JobRun) =>
    run.timed.ensureSeconds + run.timed.chunks.reduce((s, c) => s + c.prepareSeconds + c.commitSeconds, 0);
  const plainSeconds = plain.loadSeconds + plain.insertSeconds;
  const rate = (seconds: number) => Math.round(events / seconds);
  const rows = [
    {
      measure: "job → BigQuery, end to end",
      rows: bigquery.written,
      seconds: bigquery.seconds,
      "events/s": rate(bigquery.seconds),
    },
    {
      measure: "  of which in the warehouse",
      rows: bigquery.written,
      seconds: inWarehouse(bigquery),
      "events/s": rate(inWarehouse(bigquery)),
    },
    {
      measure: "  of which in the pipeline (rest)",
      rows: bigquery.written,
      seconds: bigquery.seconds - inWarehouse(bigquery),
      "events/s": rate(bigquery.seconds - inWarehouse(bigquery)),
    },
    { measure: "plain load job", rows: plain.rows, seconds: plain.loadSeconds, "events/s": rate(plain.loadSeconds) },
    {
      measure: "plain INSERT … WHERE NOT EXISTS",
      rows: plain.inserted,
      seconds: plain.insertSeconds,
      "events/s": rate(plain.insertSeconds),
    },
    { measure: "plain load + insert", rows: plain.inserted, seconds: plainSeconds, "events/s": rate(plainSeconds) },
    {
      measure: "job → DuckDB, end to end",
      rows: duckdb.written,
      seconds: duckdb.seconds,
      "events/s": rate(duckdb.seconds),
    },
    {
      measure: "  of which in the warehouse",
      rows: duckdb.written,
      seconds: inWarehouse(duckdb),
      "events/s": rate(inWarehouse(duckdb)),
    },
  ];
  console.table(rows.map((r) => ({ ...r, seconds: r.seconds.toFixed(2) })));
  console.log(`job → BigQuery / plain load+insert:              ${(plainSeconds / bigquery.seconds).toFixed(2)}`);
  console.log(`job's warehouse time only / plain load+insert:   ${(plainSeconds / inWarehouse(bigquery)).toFixed(2)}`);
  console.log(`job → BigQuery / job → DuckDB:                   ${(duckdb.seconds / bigquery.seconds).toFixed(2)}`);
  recordBenchResult("bigquery", {
    events,
    jobSeconds: bigquery.seconds,
    plainSeconds,
    jobPerPlain: plainSeconds / bigquery.seconds,
    rowsAgree: bigquery.written === plain.inserted && duckdb.written === bigquery.written,
  });
  if (bigquery.written !== plain.inserted || duckdb.written !== bigquery.written)
    console.log(
      `WARNING: row counts differ (job ${bigquery.written}, plain ${plain.inserted}, DuckDB ${duckdb.written})`,
    );
}

function printSteps(steps: StepTime[], bigquery: JobRun): void {
  console.log("\nBigQuery jobs and table REST calls the warehouse made, by its own step names (all chunks):");
  console.table(steps.map((s) => ({ step: s.step, jobs: s.calls, seconds: s.seconds.toFixed(2) })));
  // Not the chunks': ensureTables' own REST calls (on the target tables, timed apart below) and the run's own jobs
  // (`markAbandonedRuns`, `recordRun` at start and end); a staging table's REST calls are the chunks'.
  const ofRun = ["find unfinished runs", "record the run in job_runs"];
  const ofChunks = (s: StepTime) =>
    !ofRun.includes(s.step) && (!s.step.startsWith("(REST)") || s.step.includes("_rox_stage_"));
  const inJobs = steps.filter(ofChunks).reduce((sum, s) => sum + s.seconds, 0);
  const inChunks = bigquery.timed.chunks.reduce((sum, c) => sum + c.prepareSeconds + c.commitSeconds, 0);
  console.log(`ensureTables (REST calls, once per run): ${bigquery.timed.ensureSeconds.toFixed(2)} s`);
  console.log(
    `prepare+commit outside those jobs and REST calls (JS: load and fresh-event files, window merge): ${(inChunks - inJobs).toFixed(2)} s`,
  );
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

const args = process.argv.slice(2);
const eventsArg = args.indexOf("--events");
const events = Number(eventsArg >= 0 ? args[eventsArg + 1] : 200_000);
main(events).catch((err) => {
  console.error(err);
  process.exit(1);
});
