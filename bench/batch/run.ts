import { recordBenchResult } from "../result-file";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeFlightSample } from "../../tools/sample/flights";

/**
 * The batch benchmark (not a test): the same real flights through (1) the Beam TS batch job, (2) a plain single-pass
 * Node program doing the same work, (3) the same pipeline on the Python Beam DirectRunner. Prints records/s, peak RSS
 * and the ratios job/plain and job/python.
 */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const BENCH_DIR = path.join(ROOT, ".rox", "bench");

interface Result {
  contender: string;
  read: number;
  seconds: number;
  recordsPerSecond: number;
  peakRssMb: number;
}

async function main(records: number, skipPython: boolean): Promise<void> {
  const input = path.join(BENCH_DIR, `flights-${records}`);
  if (!fs.existsSync(input))
    await writeFlightSample({ outDir: input, format: "jsonl", by: "month", from: "2001-01-01", limit: records });
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(`input: ${records.toLocaleString("en-US")} real flights, JSONL by month, ${input}`);
  const results = [runNode("job", input), runNode("plain", input)];
  if (!skipPython) results.push(runPython(input));
  printResults(results);
}

function runNode(kind: string, input: string): Result {
  const script = path.join(ROOT, "dist", "bench", "batch", "contender.js");
  return lastJsonLine(
    execFileSync("node", [script, kind, input, path.join(BENCH_DIR, `work-${kind}`)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 26,
    }),
  );
}

function runPython(input: string): Result {
  execFileSync("bash", [path.join(ROOT, "bench", "batch", "setup-python.sh")], { stdio: "inherit" });
  const python = path.join(BENCH_DIR, "python-venv", "bin", "python");
  const files = fs
    .readdirSync(input)
    .map((f) => path.join(input, f))
    .sort();
  const out = execFileSync(
    python,
    [
      path.join(ROOT, "bench", "batch", "python", "pipeline.py"),
      "--db",
      path.join(BENCH_DIR, "python.duckdb"),
      "--staging",
      path.join(BENCH_DIR, "work-python"),
      ...files,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 },
  );
  return { ...lastJsonLine(out), contender: "python-beam" };
}

function lastJsonLine(out: string): Result {
  const line = out
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .pop();
  if (!line) throw new Error(`no result line in:\n${out}`);
  return JSON.parse(line) as Result;
}

function printResults(results: Result[]): void {
  console.table(
    results.map((r) => ({
      contender: r.contender,
      records: r.read,
      seconds: r.seconds.toFixed(1),
      "records/s": r.recordsPerSecond,
      "peak RSS MB": r.peakRssMb,
    })),
  );
  const rate = (name: string) => results.find((r) => r.contender === name)?.recordsPerSecond;
  const job = rate("job") ?? 0;
  const plain = rate("plain");
  const python = rate("python-beam");
  if (plain) console.log(`job / plain Node:         ${(job / plain).toFixed(2)} (goal ≥ 0.8)`);
  if (python) console.log(`job / Python Beam Direct: ${(job / python).toFixed(1)}× (goal ≥ 10×)`);
  recordBenchResult("batch", {
    results,
    jobPerPlain: plain ? job / plain : undefined,
    jobPerPython: python ? job / python : undefined,
  });
}

const args = process.argv.slice(2);
const records = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
main(records, args.includes("--no-python")).catch((err) => {
  console.error(err);
  process.exit(1);
});
