import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeFlightSample } from "../../tools/sample/flights";
import { writeReplay } from "./replay";

/**
 * The scale benchmark (not a test): the batch job on 1M, 3M and a synthetic 10M flights (the real 3M replayed with new
 * ids, bench/scale/replay.ts), each in its own process with a DuckDB memory limit, one run after the other. Prints
 * wall time, records/s and peak RSS per size, the load average around each run, time per record against the smallest
 * size of the same run, and a least-squares line through the points extrapolated to 30M.
 *
 *   node dist/bench/scale/run.js [--sizes 1000000,3000000,10000000] [--duckdb-memory 512MB] [--source <parquet dir>]
 *     [--chunk-mb N]
 *
 * Without `--duckdb-memory` or `--chunk-mb` the job runs with its own defaults (what `rox batch` does).
 */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const BENCH_DIR = path.join(ROOT, ".rox", "bench");

interface Point {
  rows: number;
  read: number;
  written: number;
  seconds: number;
  /** User + system CPU of the job's process: on a shared machine it moves less with the load than wall time. */
  cpuSeconds: number;
  peakRssMb: number;
  peakHeapUsedMb: number;
  peakExternalMb: number;
  load: string;
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(args: string[]): Promise<void> {
  const sizes = (flag(args, "--sizes") ?? "1000000,3000000,10000000").split(",").map(Number);
  const memoryLimit = flag(args, "--duckdb-memory") ?? "default";
  const chunkMb = flag(args, "--chunk-mb");
  const source = flag(args, "--source") ?? path.join(BENCH_DIR, "flights-3m-parquet");
  if (!fs.existsSync(source))
    await writeFlightSample({ outDir: source, format: "parquet", by: "month", from: "2001-01-01" });
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} × ${cpus[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(`source: ${source}; DuckDB memory limit ${memoryLimit}; chunk ${chunkMb ?? "default"} MiB`);
  const points: Point[] = [];
  for (const rows of sizes) {
    const input = path.join(BENCH_DIR, "scale", `flights-${rows}`);
    await writeReplay(source, input, rows);
    const before = os.loadavg()[0].toFixed(2);
    const result = runJob(input, memoryLimit, chunkMb);
    const point = { rows, ...result, load: `${before} → ${os.loadavg()[0].toFixed(2)}` };
    points.push(point);
    console.log(JSON.stringify(point));
    fs.appendFileSync(
      path.join(BENCH_DIR, "scale", "results.jsonl"),
      JSON.stringify({ memoryLimit, chunkMb, ...point }) + "\n",
    );
  }
  printResults(points);
}

function runJob(input: string, memoryLimit: string, chunkMb?: string): Omit<Point, "rows" | "load"> {
  const script = path.join(ROOT, "dist", "bench", "batch", "contender.js");
  const out = execFileSync(
    "node",
    [script, "job", input, path.join(BENCH_DIR, "work-scale"), memoryLimit, ...(chunkMb ? [chunkMb] : [])],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 26,
    },
  );
  const line = out
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .pop();
  if (!line) throw new Error(`no result line in:\n${out}`);
  const { read, written, seconds, cpuSeconds, peakRssMb, peakHeapUsedMb, peakExternalMb } = JSON.parse(line) as Omit<
    Point,
    "rows" | "load"
  >;
  return { read, written, seconds, cpuSeconds, peakRssMb, peakHeapUsedMb, peakExternalMb };
}

/** Least squares y = a + b·x. */
export function fitLine(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const b = sxx === 0 ? 0 : sxy / sxx;
  return { a: my - b * mx, b };
}

function printResults(points: Point[]): void {
  const base = points[0];
  const perRecord = (p: Point, key: "seconds" | "cpuSeconds") => p[key] / p.rows / (base[key] / base.rows);
  console.table(
    points.map((p) => ({
      rows: p.rows,
      written: p.written,
      seconds: p.seconds.toFixed(1),
      "CPU s": p.cpuSeconds.toFixed(1),
      "records/s": Math.round(p.read / p.seconds),
      "peak RSS MB": p.peakRssMb,
      "heap / external MB": `${p.peakHeapUsedMb} / ${p.peakExternalMb}`,
      "time/record vs smallest": perRecord(p, "seconds").toFixed(2),
      "CPU/record vs smallest": perRecord(p, "cpuSeconds").toFixed(2),
      "load avg": p.load,
    })),
  );
  if (points.length < 2) return;
  const xs = points.map((p) => p.rows / 1e6);
  const fits = {
    "wall seconds": fitLine(
      xs,
      points.map((p) => p.seconds),
    ),
    "CPU seconds": fitLine(
      xs,
      points.map((p) => p.cpuSeconds),
    ),
    "peak RSS MB": fitLine(
      xs,
      points.map((p) => p.peakRssMb),
    ),
  };
  for (const [name, f] of Object.entries(fits)) {
    const at30 = f.a + f.b * 30;
    console.log(`fit: ${name} = ${f.a.toFixed(1)} + ${f.b.toFixed(1)} × millions of rows → 30M: ${at30.toFixed(0)}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
