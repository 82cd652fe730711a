/**
 * The batch model against BigQuery (bqemulator): a real batch run lands flights there; `rox train --model … --target
 * vertex-custom-job --dry-run` plans the trainer container with the feature rows as a GoogleSQL query; the trainer
 * itself (python/rox_ml/train.py, as the container runs it) reads that `bq://` slice from the emulator and trains; and
 * the registry keeps its `models` table in BigQuery.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { trainCommand } from "../../launcher/commands/train";
import { modelsCommand } from "../../launcher/commands/models";
import { findMlPython, repoRoot } from "../../launcher/models/python";
import type { RegisterResult } from "../../launcher/models/registry";
import type { CreateCustomJobRequest } from "../../launcher/train/vertex-plans";
import { writeFlightSample } from "../../tools/sample/flights";
import type { ModelCard } from "../../transforms/score/model-card";
import { bigQueryWarehouseFlags, landInEmulator, useBigQueryEmulator } from "../support/bigquery-emulator";
import { tempDir } from "../support/temp";
import { describeNeeds } from "../support/prerequisites";

const describeMl = describeNeeds("ml-python", "bigquery-emulator");
const DATASET = "rox_models";

describeMl("the batch model on BigQuery (the emulator)", () => {
  const bq = useBigQueryEmulator();
  let work: ReturnType<typeof tempDir>;
  let rows = 0;
  beforeAll(async () => {
    work = tempDir("bq-models");
    if (!bq.emulator) return;
    const input = path.join(work.dir, "events");
    await writeFlightSample({
      outDir: input,
      format: "jsonl",
      by: "day",
      from: "2001-01-03",
      to: "2001-01-05",
      limit: 3000,
    });
    rows = await landInEmulator(bq.emulator, DATASET, input, work.dir);
  }, 300_000);
  afterAll(() => work?.cleanup());

  const where = () => bigQueryWarehouseFlags(bq.emulator!, DATASET);

  test("the trainer container reads the planned bq:// feature query and trains on exactly the landed rows", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    const config = path.join(work.dir, "rox.config.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        region: "europe-west4",
        train: { image: "europe-docker.pkg.dev/p/rox/trainer:1", outputUri: "gs://rox-test-models/train" },
      }),
    );
    const log = console.log;
    const printed: string[] = [];
    console.log = (text: string) => printed.push(text);
    try {
      await trainCommand([
        "--model",
        "flights-delay",
        "--target",
        "vertex-custom-job",
        "--dry-run",
        "--config",
        config,
        ...where(),
      ]);
    } finally {
      console.log = log;
    }
    const plan = JSON.parse(printed.join("\n")) as { request: CreateCustomJobRequest };
    const container = plan.request.customJob.jobSpec.workerPoolSpecs[0].containerSpec;
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env.AIP_TRAINING_DATA_URI).toBe(`bq://${bq.emulator.projectId}.${DATASET}.flights`);
    expect(env.ROX_TRAINING_QUERY).toContain("LEFT JOIN");
    expect(container.args[0]).toBe("--spec-json");
    expect(JSON.parse(container.args[1])).toEqual(
      JSON.parse(fs.readFileSync(path.join(repoRoot(), "schemas", "models", "flights-delay.json"), "utf8")),
    );

    // What the container's entry point does, with the planned arguments and environment (the emulator as endpoint).
    const modelDir = path.join(work.dir, "model");
    execFileSync(findMlPython()!, ["-m", "rox_ml.train", ...container.args], {
      env: {
        ...process.env,
        ...env,
        AIP_MODEL_DIR: modelDir,
        PYTHONPATH: path.join(repoRoot(), "python"),
        ROX_BIGQUERY_ENDPOINT: bq.emulator.apiEndpoint,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const card = JSON.parse(fs.readFileSync(path.join(modelDir, "card.json"), "utf8")) as ModelCard;
    expect(card.lineage.rows).toBe(rows);
    expect(card.lineage.partitions).toEqual(["2001-01-03"]);
    expect(card.features.map((f) => f.name)).toContain("origin_prev_mean_delay");
    expect(card.baseline.features.origin_prev_flights.kind).toBe("number");
  }, 300_000);

  test("the registry keeps its models table in BigQuery: register, list, promote", async () => {
    if (!bq.emulator) throw new Error("the BigQuery emulator is installed but did not start (see the warning above)");
    const store = path.join(work.dir, "store");
    const quiet = async <T>(run: () => Promise<T>) => {
      const log = console.log;
      console.log = () => undefined;
      try {
        return await run();
      } finally {
        console.log = log;
      }
    };
    const registered = (await quiet(() =>
      modelsCommand(["register", "--from", path.join(work.dir, "model"), "--store", store, ...where()]),
    )) as RegisterResult;
    expect(registered).toMatchObject({
      added: true,
      model: { name: "flights-delay", version: 1, aliases: ["challenger"] },
    });
    await quiet(() => modelsCommand(["promote", "flights-delay@1", "--store", store, ...where()]));
    expect(await quiet(() => modelsCommand(["list", "--store", store, ...where()]))).toMatchObject([
      { version: 1, aliases: ["champion"], uri: path.join(store, "flights-delay", "v1") },
    ]);
  }, 120_000);
});
