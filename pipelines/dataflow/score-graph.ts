import * as beam from "../../transforms/beam/sdk";
import type { Contract } from "../../schemas/contract";
import {
  bigQueryPredictionsTableSchema,
  deadLetterTableSchema,
  type BigQueryTableSchema,
} from "../../schemas/bigquery";
import { loadContract } from "../../schemas/load";
import { DEAD_LETTER_TABLE, predictionsTableName } from "../../schemas/tables";
import { runStageTable } from "../../io/gcp/bigquery/bigquery-run-stage";
import type { GcsClientOptions } from "../../io/gcp/gcs/gcs-client";
import { inputPattern } from "../../io/gcp/gcs/beam-gcs-files";
import type { ScoreContext } from "../../transforms/beam/score";
import { applyScoring } from "../score/score-pipeline";
import { writeToBigQuery } from "./bigquery-write";
import { LIVE_CLOCK } from "../../transforms/beam/clock";
import { RunnerChoiceError } from "../runner-choice";
import { readFeatureRows, scoreRowFromStore } from "./score-steps";

type Rows = beam.PCollection<Record<string, unknown>>;

export interface ScoreGraphOptions extends ScoreContext {
  contract: Contract;
  /** `project:dataset`: where the run's staging tables are created, beside the final ones. */
  dataset: string;
  /** The day's feature rows, staged as one JSON-lines object by the submitter (`gs://…`, or a local path in tests). */
  featureRows: string;
  /** How workers reach Cloud Storage (the feature rows, the model store). */
  storage: GcsClientOptions;
}

/** `project:dataset.<table>_predictions__run_<id>` and `…dead_letters__run_<id>`: what finalize commits. */
export function scoreStageTablesOf(contract: Contract, dataset: string, runId: string) {
  return {
    predictions: `${dataset}.${runStageTable(predictionsTableName(contract), runId)}`,
    deadLetters: `${dataset}.${runStageTable(DEAD_LETTER_TABLE, runId)}`,
  };
}

/**
 * Batch scoring on Dataflow: the staged feature rows (the very query and export the DirectRunner's BigQuery scorer
 * uses) → the shared scoring step, the model loaded once per worker from the `gs://` store → the Storage Write of
 * predictions and score dead letters into the run's staging tables, with the final tables' schemas. The job never
 * writes the final tables: `finalizeDataflowScore` commits the staged rows per (day, model version).
 */
export function scoreGraph(options: ScoreGraphOptions, sinks?: ScoreGraphSinks) {
  return async (root: beam.Root): Promise<void> => {
    const { contract, dataset, featureRows, storage, ...ctx } = options;
    const to = sinks ?? scoreStageSinks(contract, dataset, ctx.runId);
    const rows = root
      .apply(beam.impulse())
      .map(inputPattern, { input: featureRows })
      .flatMap(readFeatureRows, { storage }) as Rows;
    // The writes expand one after the other: two cross-language expansions at once would nest one's stage names in
    // the other's (the SDK keeps one naming scope per pipeline).
    const writes: (() => Promise<unknown>)[] = [];
    const sink = (write: (rows: Rows) => Promise<unknown>) => (out: Rows) => void writes.push(() => write(out));
    const outputs = { predictions: sink(to.predictions), deadLetters: sink(to.deadLetters) };
    applyScoring(rows, { ...ctx, storage }, outputs, scoreRowFromStore);
    for (const write of writes) await write();
  };
}

/** Where the graph's scored rows go: the run's BigQuery staging tables on Dataflow, staged files in tests. */
export interface ScoreGraphSinks {
  predictions(rows: Rows): Promise<unknown>;
  deadLetters(rows: Rows): Promise<unknown>;
}

/** The Storage Write of predictions and score dead letters into the run's staging tables (created by the write). */
export function scoreStageSinks(contract: Contract, dataset: string, runId: string): ScoreGraphSinks {
  const stage = scoreStageTablesOf(contract, dataset, runId);
  const write = (name: string, table: string, schema: BigQueryTableSchema) => (rows: Rows) =>
    writeToBigQuery(name, rows, { table, schema, createDisposition: "CREATE_IF_NEEDED" });
  return {
    predictions: write("write predictions", stage.predictions, bigQueryPredictionsTableSchema(contract)),
    deadLetters: write("write dead letters", stage.deadLetters, deadLetterTableSchema()),
  };
}

/**
 * The graph from the submission's parameters (all text, as for the ingest jobs): `schema`, `project`, `dataset`,
 * `model`, `modelVersion`, `modelUri` (the version's `gs://` folder), `featureRows`, `runId`, `jobName`.
 */
export function scoreGraphOf(parameters: Record<string, string>, sinks?: ScoreGraphSinks) {
  const need = (name: string) => {
    if (!parameters[name]) throw new RunnerChoiceError(`the Dataflow scoring job needs --${name}`);
    return parameters[name];
  };
  const contract = loadContract(need("schema"), { dir: parameters.schemasDir });
  return scoreGraph(
    {
      contract,
      dataset: `${need("project")}:${need("dataset")}`,
      featureRows: need("featureRows"),
      storage: { projectId: parameters.project, apiEndpoint: parameters.storageEndpoint },
      modelDir: need("modelUri"),
      model: need("model"),
      modelVersion: Number(need("modelVersion")),
      table: contract.table,
      schema: contract.name,
      jobName: parameters.jobName ?? `rox-score-${parameters.model}`,
      runId: need("runId"),
      nowMs: LIVE_CLOCK,
    },
    sinks,
  );
}
