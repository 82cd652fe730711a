import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { writeFlightSample } from "../../tools/sample/flights";
import { trainAfterBatch, trainCommand } from "../../launcher/commands/train";
import { UsageError } from "../../launcher/errors";
import { lineageArgs } from "../../launcher/train/lineage";
import { TrainerFailedError } from "../../launcher/train/local-train";
import { NoTrainingDataError } from "../../launcher/train/train-run";
import type { JobSummary } from "../../transforms/summary";
import { tempDir } from "../support/temp";

// A few thousand real flights over two days, through the real batch job into a temp DuckDB; then `rox train` on it.
let work: ReturnType<typeof tempDir>;
let warehouseFile: string;
let outputDir: string;
let summary: JobSummary;
const rowsOn: Record<string, number> = {};
let windowRowsOn3rd: number;

const DAY = "2001-01-03";

beforeAll(async () => {
  work = tempDir("train-local");
  const input = path.join(work.dir, "events");
  await writeFlightSample({ outDir: input, format: "jsonl", by: "day", from: DAY, to: "2001-01-04", limit: 3000 });
  await writeFlightSample({
    outDir: input,
    format: "jsonl",
    by: "day",
    from: "2001-01-04",
    to: "2001-01-05",
    limit: 1000,
  });
  warehouseFile = path.join(work.dir, "warehouse.duckdb");
  outputDir = path.join(work.dir, "train");
  await withDuckDb(async (warehouse) => {
    summary = await runBatchJob({ input, schema: "flights", workDir: work.dir }, warehouse);
    for (const row of await warehouse.query(
      `SELECT strftime("date", '%Y-%m-%d') AS day, count(*) AS n FROM flights GROUP BY 1`,
    ))
      rowsOn[String(row.day)] = Number(row.n);
    windowRowsOn3rd = Number(
      (
        await warehouse.query(
          `SELECT count(*) AS n FROM flights_origin_hourly WHERE strftime(window_start, '%Y-%m-%d') = '${DAY}'`,
        )
      )[0].n,
    );
  });
});
afterAll(() => work.cleanup());

async function withDuckDb<T>(run: (w: DuckDbWarehouse) => Promise<T>): Promise<T> {
  const warehouse = await DuckDbWarehouse.open(warehouseFile);
  try {
    return await run(warehouse);
  } finally {
    await warehouse.close();
  }
}

function configWith(train: Record<string, unknown>): string {
  const file = path.join(work.dir, `config-${Object.keys(train).join("-") || "default"}.json`);
  fs.writeFileSync(file, JSON.stringify({ train: { localOutputDir: outputDir, ...train } }));
  return file;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, any>;
const train = (...args: string[]) => trainCommand(["--warehouse", warehouseFile, ...args]);

test("--target local exports the day's slice and the example trainer writes a model and metrics with its lineage", async () => {
  const result = await train("--on", "flights", "--partition", DAY, "--target", "local", "--config", configWith({}));
  const expected = {
    table: "flights",
    partition: DAY,
    rowCount: rowsOn[DAY],
    runId: summary.runId,
    runCount: 1,
    schema: "flights",
    schemaVersion: 1,
  };
  expect(result.lineage).toMatchObject(expected);
  const local = result.local!;
  expect(local.modelFiles).toEqual(["metrics.json", "model.json"]);

  const metrics = readJson(path.join(local.modelDir, "metrics.json"));
  expect(metrics.rows).toBe(rowsOn[DAY]);
  expect(metrics.trainRows + metrics.testRows).toBe(rowsOn[DAY]);
  expect(metrics.testRows).toBeGreaterThan(0);
  for (const value of [
    metrics.model.mae,
    metrics.model.rmse,
    metrics.baseline.mae,
    metrics.baseline.rmse,
    metrics.baseline.prediction,
  ])
    expect(Number.isFinite(value)).toBe(true);
  expect(metrics.lineage).toEqual({
    table: "flights",
    partition: DAY,
    rows: String(rowsOn[DAY]),
    "run-id": summary.runId,
    schema: "flights",
    "schema-version": "1",
  });
  expect(metrics.environment).toMatchObject({
    AIP_MODEL_DIR: local.modelDir + path.sep,
    AIP_TRAINING_DATA_URI: local.dataUri,
    AIP_DATA_FORMAT: "parquet",
    CLOUD_ML_JOB_ID: local.jobId,
    CLOUD_ML_PROJECT_ID: "rox-local",
  });
  expect(fs.statSync(metrics.environment.AIP_CHECKPOINT_DIR).isDirectory()).toBe(true);
  expect(fs.statSync(metrics.environment.AIP_TENSORBOARD_LOG_DIR).isDirectory()).toBe(true);

  const model = readJson(path.join(local.modelDir, "model.json"));
  expect(model.weights).toHaveLength(model.features.length);
  expect(model.weights.every(Number.isFinite)).toBe(true);
  expect(model.trainedOn).toEqual(metrics.lineage);

  // The exported slice is exactly the day's rows.
  const [exported] = await withDuckDb((w) =>
    w.query(
      `SELECT count(*) AS n, min(strftime("date", '%Y-%m-%d')) AS first, max(strftime("date", '%Y-%m-%d')) AS last FROM read_parquet('${local.dataUri}')`,
    ),
  );
  expect({ n: Number(exported.n), first: exported.first, last: exported.last }).toEqual({
    n: rowsOn[DAY],
    first: DAY,
    last: DAY,
  });
});

test("a configured command gets Vertex's training environment, the lineage as ROX_* and as arguments", async () => {
  // `--` ends node's own options: what follows (the lineage arguments) is the script's.
  // Those set around the test run (ROX_REQUIRE, ROX_EMULATORS_DIR, …) reach the trainer too, next to its own.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(AIP_|CLOUD_ML_|ROX_)/.test(k)));
  const script = `const fs = require("fs"); const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(AIP_|CLOUD_ML_|ROX_)/.test(k)));
    fs.writeFileSync(process.env.AIP_MODEL_DIR + "contract.json", JSON.stringify({ env, args: process.argv.slice(1) }));`;
  const result = await train(
    "--on",
    "flights",
    "--target",
    "local",
    "--project",
    "rox-dev",
    "--region",
    "europe-west4",
    "--config",
    configWith({ command: [process.execPath, "-e", script, "--"] }),
  );
  const total = rowsOn[DAY] + rowsOn["2001-01-04"];
  expect(result.lineage).toMatchObject({ table: "flights", rowCount: total, runId: summary.runId });
  expect(result.lineage.partition).toBeUndefined();
  const { env, args } = readJson(path.join(result.local!.modelDir, "contract.json"));
  const base = path.join(path.resolve(outputDir), result.local!.jobId);
  expect(env).toEqual({
    ...inherited,
    AIP_MODEL_DIR: path.join(base, "model") + path.sep,
    AIP_CHECKPOINT_DIR: path.join(base, "checkpoints") + path.sep,
    AIP_TENSORBOARD_LOG_DIR: path.join(base, "logs") + path.sep,
    AIP_TRAINING_DATA_URI: path.join(base, "data", "training-00000-of-00001.parquet"),
    AIP_DATA_FORMAT: "parquet",
    CLOUD_ML_PROJECT_ID: "rox-dev",
    CLOUD_ML_REGION: "europe-west4",
    CLOUD_ML_JOB_ID: result.local!.jobId,
    ROX_TABLE: "flights",
    ROX_PARTITION: "",
    ROX_ROWS: String(total),
    ROX_RUN_ID: summary.runId,
    ROX_SCHEMA: "flights",
    ROX_SCHEMA_VERSION: "1",
    ROX_TRIGGER: result.lineage.trigger,
  });
  expect(args).toEqual(lineageArgs(result.lineage));
  expect(result.local!.metrics).toBeUndefined();
});

test("a trainer that fails is a TrainerFailedError with its exit code and last stderr lines", async () => {
  const config = configWith({
    command: [process.execPath, "-e", `console.error("loss is NaN at step 3"); process.exit(3)`, "--"],
  });
  const err = (await train("--on", "flights", "--partition", DAY, "--config", config).catch(
    (e: unknown) => e,
  )) as TrainerFailedError;
  expect(err).toBeInstanceOf(TrainerFailedError);
  expect(err.exitCode).toBe(3);
  expect(err.message).toBe("the trainer exited with code 3:\nloss is NaN at step 3");
});

test("--dry-run prints the local plan and runs nothing", async () => {
  const dryOutput = path.join(work.dir, "dry");
  const config = path.join(work.dir, "dry.json");
  fs.writeFileSync(config, JSON.stringify({ train: { localOutputDir: dryOutput } }));
  const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    const result = await train("--on", "flights", "--partition", DAY, "--dry-run", "--config", config);
    expect(result.dryRun).toBe(true);
    const printed = JSON.parse(String(log.mock.calls[0][0]));
    expect(printed).toMatchObject({
      service: "rox.local",
      method: "train",
      request: { exportSql: expect.stringContaining(`strftime("date", '%Y-%m-%d') = '${DAY}'`) },
    });
    expect(fs.existsSync(dryOutput)).toBe(false);
  } finally {
    log.mockRestore();
  }
});

test("a window table's lineage: its rows in the partition, credited to the schema's latest run", async () => {
  const result = await train(
    "--on",
    "flights_origin_hourly",
    "--partition",
    DAY,
    "--target",
    "vertex-custom-job",
    "--dry-run",
    "--project",
    "p",
    "--region",
    "r",
    "--config",
    configWith({ image: "img", outputUri: "gs://b" }),
  );
  expect(result.lineage).toMatchObject({
    table: "flights_origin_hourly",
    partition: DAY,
    rowCount: windowRowsOn3rd,
    runId: summary.runId,
  });
  expect((result.plan.request as { customJob: { labels: Record<string, string> } }).customJob.labels.rox_table).toBe(
    "flights_origin_hourly",
  );
});

test("trainAfterBatch trains on the events table of the batch run's schema", async () => {
  const result = await trainAfterBatch(summary, {
    warehouse: warehouseFile,
    partition: DAY,
    dryRun: true,
    target: "kubeflow",
    config: configWith({ kubeflow: { endpoint: "http://kfp", pipelineId: "p", pipelineVersionId: "v" } }),
  });
  expect(result.lineage).toMatchObject({
    table: "flights",
    partition: DAY,
    runId: summary.runId,
    rowCount: rowsOn[DAY],
  });
  expect(result.plan.method).toBe("POST /apis/v2beta1/runs");
});

test("an empty partition, an unknown table and a malformed day are refused before anything runs", async () => {
  await expect(train("--on", "flights", "--partition", "1999-12-31")).rejects.toThrow(NoTrainingDataError);
  await expect(train("--on", "flights", "--partition", "1999-12-31")).rejects.toThrow(
    "flights partition 1999-12-31 holds no rows: nothing to train on",
  );
  await expect(train("--on", "planes")).rejects.toThrow(UsageError);
  await expect(train("--on", "flights", "--partition", "2001-1-3")).rejects.toThrow(
    "--partition must be a day, YYYY-MM-DD",
  );
});

// Jest keeps its own module registry, so this check runs the compiled command (dist/, built by `npm test`) in a fresh
// Node process and lists what it required.
test("the local target loads no Google client library", () => {
  const root = path.resolve(__dirname, "..", "..");
  const script = `
    const { trainCommand } = require(${JSON.stringify(path.join(root, "dist/launcher/commands/train.js"))});
    trainCommand(["--on", "flights", "--partition", "${DAY}", "--warehouse", ${JSON.stringify(warehouseFile)}, "--config", ${JSON.stringify(configWith({}))}])
      .then((result) => {
        const google = Object.keys(require.cache).filter((m) => /node_modules\\/(@google-cloud|google-gax|google-auth-library)\\//.test(m));
        process.stdout.write(JSON.stringify({ files: result.local.modelFiles, google, loaded: Object.keys(require.cache).length }));
      });`;
  const out = execFileSync(process.execPath, ["-e", script], { cwd: work.dir, encoding: "utf8" });
  const result = JSON.parse(out.slice(out.lastIndexOf("{")));
  expect(result.files).toEqual(["metrics.json", "model.json"]);
  expect(result.loaded).toBeGreaterThan(20);
  expect(result.google).toEqual([]);
});
