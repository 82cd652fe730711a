import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeFlightSample } from "../../tools/sample/flights";
import { BENCH_RESULTS_ENV, readBenchResults } from "../result-file";

/**
 * Issue 14's table in one run (not a test): each figure measured side by side by the project's own benchmarks, one
 * after the other on the same machine, then printed against its goal.
 *
 *   node dist/bench/perf/run.js [--records 1000000] [--no-python] [--bigquery-events 500000]
 *     [--stream 20000,5000,20] [--only batch,rss,stream,bigquery]
 *
 * (1) bench/batch: the batch job against a plain Node loop and the Python Beam DirectRunner on the same 1M flights;
 * (2) peak RSS of `rox batch` exactly as a user runs it (default settings) on all 3M flights (Parquet by month);
 * (3) bench/stream: backlog drain against bare long-poll pull + ack, and the scored p99 at a fixed rate;
 * (4) bench/bigquery: the job into the BigQuery emulator against the emulator's own load + insert.
 */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const BENCH_DIR = path.join(ROOT, ".rox", "bench");
const WORK = path.join(BENCH_DIR, "perf");

interface Row {
  measure: string;
  goal: string;
  measured: string;
  met: boolean;
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function runBench(script: string, args: string[], results: string): void {
  const started = Date.now();
  const load = os.loadavg()[0].toFixed(2);
  console.log(`\n$ node dist/bench/${script} ${args.join(" ")}   (load average ${load})`);
  execFileSync(process.execPath, [path.join(ROOT, "dist", "bench", script), ...args], {
    stdio: "inherit",
    env: { ...process.env, [BENCH_RESULTS_ENV]: results },
  });
  const end = os.loadavg()[0].toFixed(2);
  console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s; load average ${load} → ${end})`);
}

/** `rox batch` with its defaults over all 3M flights, its own peak RSS read by the preloaded bench/peak-rss. */
async function peakRssOfBatch(): Promise<{ peakRssMb: number; seconds: number }> {
  const input = path.join(BENCH_DIR, "flights-3m-parquet");
  if (!fs.existsSync(input))
    await writeFlightSample({ outDir: input, format: "parquet", by: "month", from: "2001-01-01" });
  const warehouse = path.join(WORK, "3m.duckdb");
  const rssFile = path.join(WORK, "3m.rss");
  fs.rmSync(warehouse, { force: true });
  const args = ["batch", "--input", input, "--schema", "flights", "--warehouse", warehouse];
  console.log(`\n$ node bin/rox.js ${args.join(" ")}   (load average ${os.loadavg()[0].toFixed(2)})`);
  const started = Date.now();
  execFileSync(
    process.execPath,
    ["--require", path.join(ROOT, "dist", "bench", "peak-rss.js"), path.join(ROOT, "bin", "rox.js"), ...args],
    { stdio: "inherit", env: { ...process.env, ROX_PEAK_RSS_FILE: rssFile }, cwd: WORK },
  );
  return { peakRssMb: Number(fs.readFileSync(rssFile, "utf8")), seconds: (Date.now() - started) / 1000 };
}

function figure(results: Record<string, unknown>[], bench: string): Record<string, unknown> | undefined {
  return results.filter((r) => r.bench === bench).pop();
}

function tableRows(results: Record<string, unknown>[], rss?: { peakRssMb: number }): Row[] {
  const rows: Row[] = [];
  const batch = figure(results, "batch");
  const ratio = (n: unknown, digits = 2) => (typeof n === "number" ? n.toFixed(digits) : "—");
  if (batch) {
    const plain = batch.jobPerPlain as number | undefined;
    rows.push({ measure: "batch job / plain Node", goal: "≥ 0.8", measured: ratio(plain), met: (plain ?? 0) >= 0.8 });
    const python = batch.jobPerPython as number | undefined;
    if (python !== undefined)
      rows.push({
        measure: "batch job / Python Beam",
        goal: "≥ 10×",
        measured: `${ratio(python, 1)}×`,
        met: python >= 10,
      });
  }
  if (rss) {
    const met = rss.peakRssMb <= 500;
    rows.push({ measure: "peak RSS, 3M flights", goal: "≤ 500 MB", measured: `${rss.peakRssMb} MB`, met });
  }
  const stream = figure(results, "stream");
  if (stream) {
    const drain = stream.drainPerBare as number;
    rows.push({ measure: "stream drain / bare pull", goal: "≥ 0.9", measured: ratio(drain), met: drain >= 0.9 });
    const p99 = (stream.scored as { p99: number }).p99;
    rows.push({
      measure: `scored p99 at ${stream.rate}/s`,
      goal: "≤ 1 s",
      measured: `${p99.toFixed(2)} s`,
      met: p99 <= 1,
    });
  }
  const bigquery = figure(results, "bigquery");
  if (bigquery) {
    const r = bigquery.jobPerPlain as number;
    rows.push({ measure: "job → BigQuery / emulator", goal: "≥ 0.5", measured: ratio(r), met: r >= 0.5 });
  }
  return rows;
}

async function main(args: string[]): Promise<void> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const results = path.join(WORK, "results.jsonl");
  const only = (flag(args, "--only") ?? "batch,rss,stream,bigquery").split(",");
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} × ${cpus[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  const records = flag(args, "--records") ?? "1000000";
  if (only.includes("batch"))
    runBench("batch/run.js", [records, ...(args.includes("--no-python") ? ["--no-python"] : [])], results);
  const rss = only.includes("rss") ? await peakRssOfBatch() : undefined;
  const [backlog, rate, seconds] = (flag(args, "--stream") ?? "20000,5000,20").split(",");
  if (only.includes("stream")) runBench("stream/run.js", [backlog, rate, seconds], results);
  const events = flag(args, "--bigquery-events") ?? "500000";
  if (only.includes("bigquery")) runBench("bigquery/run.js", ["--events", events], results);
  console.log(`\nIssue 14's table, this run (3M: ${rss ? `${rss.seconds.toFixed(0)} s` : "not run"}):`);
  console.table(tableRows(readBenchResults(results), rss).map((r) => ({ ...r, met: r.met ? "yes" : "no" })));
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(1);
});
