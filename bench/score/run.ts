/**
 * The scoring benchmark (not a test): one day's feature rows scored by (1) the Beam scoring job (`rox score`: export,
 * DirectRunner pipeline, commit), (2) a plain Node loop over the same rows with the same scorer, (3) XGBoost's own
 * batch `predict` (Python, on a DMatrix of the same rows; 1 and 2 threads). Prints events/s and the ratios.
 *
 *   npm run build && node dist/bench/score/run.js [--warehouse .rox/warehouse.duckdb] [--model flights-delay@champion] [--day 2001-01-31]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { DuckDbPredictions } from "../../io/local/duckdb-predictions";
import { DUCKDB_FEATURE_SQL, featureRowsSql, nextDay } from "../../io/feature-query";
import { readJsonLines } from "../../io/files/json-lines";
import { openRegistry } from "../../launcher/models/open-registry";
import { parseModelRef } from "../../launcher/models/model-ref";
import { xgboostPredictions } from "../../launcher/models/python";
import { runScoreJob } from "../../pipelines/score/score-job";
import { loadContract } from "../../schemas/load";
import { scoreFeatureRow } from "../../transforms/score/scorer";

interface Row {
  contender: string;
  events: number;
  seconds: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      warehouse: { type: "string" },
      model: { type: "string" },
      day: { type: "string" },
      store: { type: "string" },
    },
  });
  const source = path.resolve(values.warehouse ?? path.join(".rox", "warehouse.duckdb"));
  const day = values.day ?? "2001-01-31";
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "rox-bench-score-"));
  const file = path.join(work, "warehouse.duckdb");
  fs.copyFileSync(source, file); // the job writes predictions: into a copy, never the source warehouse
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    const registry = openRegistry(warehouse, { kind: "duckdb", file }, values.store);
    const model = await registry.resolve(parseModelRef(values.model ?? "flights-delay@champion"));
    const card = await registry.card(model);
    const modelDir = await registry.localFolder(model);
    const contract = loadContract(card.schema.name);
    const sql = featureRowsSql(contract, card.target.name, card.features, DUCKDB_FEATURE_SQL, {
      from: day,
      to: nextDay(day),
    });
    const [jsonl, parquet] = [path.join(work, "rows.jsonl"), path.join(work, "rows.parquet")];
    await warehouse.query(`COPY (${sql}) TO '${jsonl}' (FORMAT json)`);
    await warehouse.query(`COPY (${sql}) TO '${parquet}' (FORMAT parquet)`);
    console.log(
      `model ${model.name}@${model.version} (${card.framework.library} ${card.framework.version}), ${day} of ${source}`,
    );
    const results: Row[] = [];

    let started = performance.now();
    const summary = await runScoreJob(
      {
        contract,
        card,
        modelDir,
        modelVersion: model.version,
        partition: day,
        replace: true,
        runId: "bench",
        nowMs: Date.now(),
        workDir: path.join(work, "job"),
      },
      new DuckDbPredictions(warehouse),
      DUCKDB_FEATURE_SQL,
    );
    results.push({
      contender: "rox score (Beam job: export + DirectRunner + commit)",
      events: summary.read,
      seconds: (performance.now() - started) / 1000,
    });

    const scorer = await registry.scorer(model);
    const rows = [...readJsonLines(jsonl)];
    started = performance.now();
    for (const row of rows) scoreFeatureRow(scorer, row, { payload: "", source: { uri: "bench" }, attempt: 1 });
    results.push({
      contender: "plain Node loop, same scorer",
      events: rows.length,
      seconds: (performance.now() - started) / 1000,
    });

    for (const threads of ["1", "2"]) {
      process.env.ROX_TRAINER_THREADS = threads;
      const reference = xgboostPredictions(modelDir, parquet, path.join(work, `xgb-${threads}.json`), 3);
      const best = reference.seconds.indexOf(Math.min(...reference.seconds));
      const label = `XGBoost (Python, ${threads} thread${threads === "1" ? "" : "s"}, best of 3)`;
      results.push({
        contender: `${label}: predict`,
        events: reference.predictions.length,
        seconds: reference.seconds[best],
      });
      results.push({
        contender: `${label}: DMatrix + predict`,
        events: reference.predictions.length,
        seconds: reference.seconds[best] + reference.dmatrixSeconds[best],
      });
    }
    report(results);
  } finally {
    await warehouse.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function report(results: Row[]): void {
  console.table(
    results.map((r) => ({
      contender: r.contender,
      events: r.events,
      seconds: r.seconds.toFixed(3),
      "events/s": Math.round(r.events / r.seconds),
    })),
  );
  const rate = (i: number) => results[i].events / results[i].seconds;
  console.log(
    `Beam job / XGBoost predict (1 thread): ${(rate(0) / rate(2)).toFixed(3)}; with the DMatrix: ${(rate(0) / rate(3)).toFixed(3)}`,
  );
  console.log(
    `plain Node scorer / XGBoost predict (1 thread): ${(rate(1) / rate(2)).toFixed(3)}; with the DMatrix: ${(rate(1) / rate(3)).toFixed(3)}`,
  );
  console.log(`Beam job / plain Node scorer: ${(rate(0) / rate(1)).toFixed(3)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
