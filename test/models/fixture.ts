import * as fs from "fs";
import * as path from "path";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { runBatchJob } from "../../pipelines/batch-job";
import { writeFlightSample } from "../../tools/sample/flights";

/** Why the models' tests cannot run here (printed, and the tests skip), or undefined when they can. */
/** Real flights of the given days (first `limit` of each), through the real batch job into a DuckDB file. */
export async function flightsWarehouse(dir: string, days: string[], limit?: number): Promise<string> {
  const input = path.join(dir, "events");
  for (const day of days) {
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await writeFlightSample({
      outDir: input,
      format: "jsonl",
      by: "day",
      from: day,
      to: next,
      ...(limit ? { limit } : {}),
    });
  }
  const file = path.join(dir, "warehouse.duckdb");
  await withDuckDb(file, (warehouse) => runBatchJob({ input, schema: "flights", workDir: dir }, warehouse));
  return file;
}

export async function withDuckDb<T>(file: string, run: (w: DuckDbWarehouse) => Promise<T>): Promise<T> {
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    return await run(warehouse);
  } finally {
    await warehouse.close();
  }
}

/** A config file sending local training output below `dir`. */
export function trainConfig(dir: string): string {
  const file = path.join(dir, "rox.config.json");
  fs.writeFileSync(file, JSON.stringify({ train: { localOutputDir: path.join(dir, "train") } }));
  return file;
}

export { xgboostPredictions } from "../../launcher/models/python";
