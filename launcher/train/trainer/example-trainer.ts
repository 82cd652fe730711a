/**
 * The example trainer: a delay model for the flights table, run as its own process with Vertex AI's training
 * contract. It reads the Parquet slice at `AIP_TRAINING_DATA_URI`, fits a ridge regression of the departure delay on
 * distance, hour of day and day of week, and writes `model.json` and `metrics.json` into `AIP_MODEL_DIR`, each with
 * the lineage it was given as arguments (`--table=… --run-id=…`).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { requireEsm } from "../../../transforms/decode/esm-modules";
import type { FlightRow } from "./delay-model";
import { trainDelayModel } from "./train-delay";

type Hyparquet = typeof import("hyparquet", { with: { "resolution-mode": "import" } });

const COLUMNS = ["event_id", "delay", "distance", "hour_of_day", "day_of_week"];
const LINEAGE_FLAGS = ["table", "partition", "rows", "run-id", "schema", "schema-version"] as const;
const CONTRACT_VARIABLES = /^(AIP_|CLOUD_ML_)/;

async function readFlightRows(file: string): Promise<FlightRow[]> {
  const bytes = fs.readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = await requireEsm<Hyparquet>("hyparquet").parquetReadObjects({ file: buffer, columns: COLUMNS });
  return rows.map((r) => ({
    event_id: String(r.event_id),
    delay: Number(r.delay),
    distance: Number(r.distance),
    hour_of_day: Number(r.hour_of_day),
    day_of_week: Number(r.day_of_week),
  }));
}

function lineageFromArgs(argv: string[]): Record<string, string> {
  const options = Object.fromEntries(LINEAGE_FLAGS.map((flag) => [flag, { type: "string" as const }]));
  const { values } = parseArgs({ args: argv, options, strict: false });
  const lineage: Record<string, string> = {};
  for (const flag of LINEAGE_FLAGS) if (typeof values[flag] === "string") lineage[flag] = values[flag] as string;
  return lineage;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run this trainer through \`rox train\` (or as a Vertex AI custom job)`);
  return value;
}

async function main(): Promise<void> {
  const dataUri = requiredEnv("AIP_TRAINING_DATA_URI");
  const modelDir = requiredEnv("AIP_MODEL_DIR");
  const rows = await readFlightRows(dataUri);
  const { model, metrics } = trainDelayModel(rows);
  const lineage = lineageFromArgs(process.argv.slice(2));
  const environment = Object.fromEntries(
    Object.entries(process.env)
      .filter(([k]) => CONTRACT_VARIABLES.test(k))
      .sort(),
  );
  fs.mkdirSync(modelDir, { recursive: true });
  fs.writeFileSync(path.join(modelDir, "model.json"), JSON.stringify({ ...model, trainedOn: lineage }, null, 2) + "\n");
  fs.writeFileSync(
    path.join(modelDir, "metrics.json"),
    JSON.stringify({ ...metrics, lineage, environment }, null, 2) + "\n",
  );
  const fmt = (n: number) => n.toFixed(2);
  console.log(
    `trained on ${metrics.trainRows} rows, evaluated on ${metrics.testRows}: MAE ${fmt(metrics.model.mae)} min (mean baseline ${fmt(metrics.baseline.mae)}), RMSE ${fmt(metrics.model.rmse)} min (baseline ${fmt(metrics.baseline.rmse)})`,
  );
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`example trainer: ${err.message}`);
    process.exit(1);
  });
}
