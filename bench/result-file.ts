import * as fs from "fs";

/**
 * Where a benchmark leaves its figures for a runner that ran it (bench/perf): one JSON line per benchmark, appended to
 * the file named by ROX_BENCH_RESULTS. Unset (a person running one benchmark), nothing is written.
 */
export const BENCH_RESULTS_ENV = "ROX_BENCH_RESULTS";

export function recordBenchResult(bench: string, figures: Record<string, unknown>): void {
  const file = process.env[BENCH_RESULTS_ENV];
  if (!file) return;
  fs.appendFileSync(file, JSON.stringify({ bench, ...figures }) + "\n");
}

export function readBenchResults(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
