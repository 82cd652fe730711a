/**
 * The scored run's starting point: real flights of three January days through the batch job into a DuckDB file, an
 * XGBoost model trained on them by the real trainer (the models' Python, `scripts/setup-ml.sh`) and registered as
 * `flights-delay@champion`. The unscored and the scored latency runs each start from a copy of this file.
 */
import * as fs from "fs";
import * as path from "path";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { runBatchJob } from "../../pipelines/batch-job";
import { writeFlightSample } from "../../tools/sample/flights";
import { trainCommand } from "../../launcher/commands/train";
import { modelsCommand } from "../../launcher/commands/models";

export interface ModelWarehouse {
  file: string;
  store: string;
}

export async function modelWarehouse(work: string): Promise<ModelWarehouse> {
  const dir = path.join(work, "model");
  const input = path.join(dir, "events");
  const days = { from: "2001-01-08", to: "2001-01-11", limit: 5000 };
  await writeFlightSample({ outDir: input, format: "jsonl", by: "day", ...days });
  const file = path.join(dir, "warehouse.duckdb");
  const warehouse = await DuckDbWarehouse.open(file);
  await runBatchJob({ input, schema: "flights", workDir: dir }, warehouse).finally(() => warehouse.close());
  const config = path.join(dir, "rox.config.json");
  fs.writeFileSync(config, JSON.stringify({ train: { localOutputDir: path.join(dir, "train") } }));
  const trained = await trainCommand(["--model", "flights-delay", "--warehouse", file, "--config", config]);
  const store = path.join(dir, "models");
  const register = ["register", "--from", trained.local!.modelDir, "--alias", "champion"];
  await modelsCommand([...register, "--warehouse", file, "--store", store]);
  return { file, store };
}

/** A fresh copy of the prepared warehouse for one run. */
export function copyOf(model: ModelWarehouse, name: string): string {
  const copy = path.join(path.dirname(model.file), `${name}.duckdb`);
  fs.copyFileSync(model.file, copy);
  return copy;
}
