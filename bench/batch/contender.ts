import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { runPlain } from "./plain";

/**
 * One contender of the batch benchmark in its own process, so its peak RSS is its own. Prints one JSON line.
 * Optional: a fourth argument is the job's DuckDB memory limit (what `--duckdb-memory` passes), e.g. 512MB, or
 * `default` for the warehouse's own default; a fifth the chunk size in MiB (what `--chunk-mb` passes).
 */
async function main(kind: string, input: string, workDir: string, memoryLimit?: string, chunkMb?: string) {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const warehouseFile = path.join(workDir, "warehouse.duckdb");
  const memory = sampleMemory();
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const counts =
    kind === "plain"
      ? await runPlain(input, warehouseFile, workDir)
      : await runJob(
          input,
          warehouseFile,
          workDir,
          memoryLimit === "default" ? undefined : memoryLimit,
          chunkMb ? Number(chunkMb) * 2 ** 20 : undefined,
        );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  clearInterval(memory.timer);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    JSON.stringify({
      contender: kind,
      ...counts,
      seconds,
      recordsPerSecond: Math.round(counts.read / seconds),
      peakRssMb,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      // Sampled once a second (so a lower bound on each peak): the JS heap, and Buffers/ArrayBuffers outside it.
      peakHeapUsedMb: memory.peak.heapUsed,
      peakExternalMb: memory.peak.external,
    }),
  );
}

async function runJob(
  input: string,
  warehouseFile: string,
  workDir: string,
  memoryLimit?: string,
  chunkBytes?: number,
) {
  const warehouse = await DuckDbWarehouse.open(warehouseFile, { memoryLimit });
  try {
    // Progress on stderr after every chunk: how time and memory move as the tables grow, within one run.
    const cpuStart = process.cpuUsage();
    const onProgress = (p: { read: number; elapsedMs: number; chunk: number; chunks: number }) => {
      const cpu = process.cpuUsage(cpuStart);
      const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      console.error(
        JSON.stringify({ progress: p.chunk, of: p.chunks, read: p.read, s: p.elapsedMs / 1000, cpuSeconds, rssMb }),
      );
    };
    const s = await runBatchJob({ input, schema: "flights", workDir, onProgress, chunkBytes }, warehouse);
    return { read: s.read, written: s.written, deadLettered: s.deadLettered, duplicates: s.duplicates };
  } finally {
    await warehouse.close();
  }
}

const [kind, input, workDir, memoryLimit, chunkMb] = process.argv.slice(2);
main(kind, input, workDir, memoryLimit, chunkMb).catch((err) => {
  console.error(err);
  process.exit(1);
});

function sampleMemory(): { timer: NodeJS.Timeout; peak: { heapUsed: number; external: number } } {
  const peak = { heapUsed: 0, external: 0 };
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, Math.round(m.heapUsed / 2 ** 20));
    peak.external = Math.max(peak.external, Math.round(m.external / 2 ** 20));
  }, 1000);
  timer.unref();
  return { timer, peak };
}
