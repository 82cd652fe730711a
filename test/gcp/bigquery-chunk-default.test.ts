import * as fs from "fs";
import * as path from "path";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { runBatchJob } from "../../pipelines/batch-job";
import { writeFlightSample } from "../../tools/sample/flights";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { itNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";

// Unless the run says, the batch job cuts its input as the warehouse prefers: DuckDB's memory-bound 2 MiB chunks,
// BigQuery's 8 MiB (each chunk costs it a handful of remote jobs). The same ~3 MiB of real flights into both.
const bq = useBigQueryEmulator();
const work = tempDir("bq-chunks");
afterAll(() => work.cleanup());

async function chunksOf(run: (onProgress: (p: { chunks: number }) => void) => Promise<unknown>): Promise<number> {
  let chunks = 0;
  await run((p) => (chunks = p.chunks));
  return chunks;
}

itNeeds("bigquery-emulator")(
  "a run without --chunk-mb cuts 2 MiB chunks for DuckDB and 8 MiB for BigQuery",
  async () => {
    const input = path.join(work.dir, "events");
    await writeFlightSample({ outDir: input, format: "jsonl", by: "month", from: "2001-01-01", limit: 24_000 });
    const bytes = fs.readdirSync(input).reduce((sum, f) => sum + fs.statSync(path.join(input, f)).size, 0);
    expect(bytes).toBeGreaterThan(2 << 20);
    expect(bytes).toBeLessThan(8 << 20);
    const options = { input, schema: "flights", workDir: work.dir };
    const duckdb = await DuckDbWarehouse.open(path.join(work.dir, "w.duckdb"));
    const local = await chunksOf((onProgress) => runBatchJob({ ...options, onProgress }, duckdb)).finally(() =>
      duckdb.close(),
    );
    const bigquery = await chunksOf((onProgress) =>
      inEmulatorDataset(bq.emulator!, "rox_chunks", (w) => runBatchJob({ ...options, onProgress }, w)),
    );
    expect(local).toBe(Math.ceil(bytes / (2 << 20)));
    expect(bigquery).toBe(1);
  },
);
