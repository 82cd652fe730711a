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
import { writeToBigQuery, type FailedRow } from "./bigquery-write";
import { failedRowToDeadLetter } from "./ingest-steps";
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
    const stage = sinks ? ctx.table : scoreStageTablesOf(contract, dataset, ctx.runId).predictions;
    const rows = root
      .apply(beam.impulse())
      .map(inputPattern, { input: featureRows })
      .flatMap(readFeatureRows, { storage }) as Rows;
    const scored: { predictions?: Rows; dead?: Rows } = {};
    const keep = (name: keyof typeof scored) => (out: Rows) => void (scored[name] = out);
    applyScoring(
      rows,
      { ...ctx, storage },
      { predictions: keep("predictions"), deadLetters: keep("dead") },
      scoreRowFromStore,
    );
    // One write after the other (two expansions at once would nest one's stage names in the other's); the rows the
    // predictions table refuses become dead letters, so the run still reconciles.
    const failed = await to.predictions(scored.predictions!);
    const failedContext = {
      table: stage,
      schemaName: ctx.schema,
      jobName: ctx.jobName,
      runId: ctx.runId,
      nowMs: ctx.nowMs,
    };
    const failedDead = failed ? [failed.map(failedRowToDeadLetter, failedContext) as Rows] : [];
    await to.deadLetters(beam.P([scored.dead!, ...failedDead]).apply(beam.flatten()));
  };
}

/** Where the graph's scored rows go: the run's BigQuery staging tables on Dataflow, staged files in tests. */
export interface ScoreGraphSinks {
  /** Resolves to the rows the destination refused, if it can refuse (they become dead letters of stage `write`). */
  predictions(rows: Rows): Promise<beam.PCollection<FailedRow> | undefined>;
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
