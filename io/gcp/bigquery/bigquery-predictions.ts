/**
 * Scoring's side of the BigQuery warehouse, the twin of `DuckDbPredictions`: the feature query's rows exported page by
 * page, and a run's predictions and dead letters loaded into staging tables, then committed by one transaction job
 * (replace, new predictions only, new dead letters, the run's `job_runs` row) — idempotent per (day, model version).
 */
import * as fs from "fs";
import { bigQueryPredictionsTableSchema } from "../../../schemas/bigquery";
import { DEAD_LETTER_TABLE, predictionsTableName } from "../../../schemas/tables";
import { jobRunRow } from "../../../transforms/summary";
import { JsonLinesAppender, readJsonLines } from "../../files/json-lines";
import { validateBigQueryTarget, validateTableId } from "../../identifiers/bigquery";
import { runOwner } from "../../local/duckdb-job-runs";
import type { PredictionCommit, PredictionCommitReport, PredictionWarehouse } from "../../predictions";
import { BigQueryJobs, type BigQueryTarget } from "./bigquery-client";
import { newDeadLettersFrom, type StagedTable } from "./bigquery-commit";
import {
  freshPredictionsFrom,
  predictionCommitScript,
  replacedCountSql,
  SCOPE_FIELDS,
} from "./bigquery-predictions-sql";
import { plainRow } from "./bigquery-rows";
import { tableRef } from "./bigquery-sql";
import { BigQueryStaging } from "./bigquery-staging";
import { deadLettersSpec, JOB_RUNS_SPEC, JOB_RUNS_STAGE_FIELDS, JOB_RUNS_TABLE } from "./bigquery-tables";

export class BigQueryPredictions implements PredictionWarehouse {
  private constructor(
    private readonly jobs: BigQueryJobs,
    private readonly staging: BigQueryStaging,
  ) {}

  /** Ids are checked before any call; `apiEndpoint` points at an emulator, else Application Default Credentials. */
  static async open(target: BigQueryTarget): Promise<BigQueryPredictions> {
    validateBigQueryTarget(target);
    const jobs = await BigQueryJobs.connect(target);
    return new BigQueryPredictions(jobs, BigQueryStaging.open(jobs, "rox-bq-score-"));
  }

  /** The query's rows as plain JSON lines (timestamps as ISO text), read page by page. */
  async exportRows(sql: string, file: string): Promise<number> {
    fs.writeFileSync(file, "");
    const appender = new JsonLinesAppender(file);
    try {
      for await (const row of this.jobs.eachRow(sql, "export the feature rows")) appender.append(plainRow(row));
    } finally {
      appender.close();
    }
    return appender.count;
  }

  async commitPredictions(c: PredictionCommit): Promise<PredictionCommitReport> {
    const target = validateTableId(predictionsTableName(c.contract));
    const schema = bigQueryPredictionsTableSchema(c.contract);
    await this.jobs.ensureDataset();
    await this.jobs.ensureTable(target, schema);
    await this.jobs.ensureTable(DEAD_LETTER_TABLE, deadLettersSpec());
    await this.jobs.ensureTable(JOB_RUNS_TABLE, JOB_RUNS_SPEC);
    const scope = await this.staging.tableFor("score_scope", SCOPE_FIELDS);
    await this.staging.load(scope, [{ model: c.model, model_version: c.modelVersion, day: c.partition }]);
    const predictions = await this.staging.tableFor(target, schema.fields);
    const staged = await this.staging.load(predictions, readJsonLines(c.predictions));
    const replaced = c.replace ? await this.count(replacedCountSql(this.ref, target, scope.stage)) : undefined;
    const fresh = await this.count(
      `SELECT COUNT(*) AS n ${freshPredictionsFrom(this.ref, predictions, c.replace ? scope.stage : undefined)}`,
    );
    const deadLetters = await this.stageDeadLetters(c.deadLetters);
    const report: PredictionCommitReport = {
      written: fresh,
      alreadyPresent: staged - fresh,
      deadLettersWritten: deadLetters?.fresh ?? 0,
      replaced: replaced ?? 0,
    };
    const run = await this.staging.tableFor(JOB_RUNS_TABLE, JOB_RUNS_STAGE_FIELDS);
    await this.staging.load(run, [jobRunRow(c.summary(report), "finished", runOwner())]);
    const script = predictionCommitScript({
      ref: this.ref,
      predictions,
      scope: scope.stage,
      replaced,
      fresh,
      deadLetters,
      summary: { table: JOB_RUNS_TABLE, stage: run.stage },
    });
    await this.jobs.run(script, "commit the predictions (one transaction)");
    return report;
  }

  /**
   * A Dataflow scoring run's staging table (score-graph.ts) exported as JSON lines, as `exportRows` writes them;
   * undefined when the run left no such table (it wrote no row there).
   */
  async exportRunStage(table: string, file: string): Promise<number | undefined> {
    if (!(await this.jobs.tableExists(validateTableId(table)))) return undefined;
    return this.exportRows(`SELECT * FROM ${tableRef(this.ref, table)}`, file);
  }

  /** Drops a run's staging table once its rows are committed. */
  async dropRunStage(table: string): Promise<void> {
    await this.jobs.dropTable(validateTableId(table));
  }

  /** Drops this instance's staging tables (they expire anyway) and its scratch folder. */
  async close(): Promise<void> {
    await this.staging.close();
  }

  private get ref() {
    return this.jobs.target;
  }

  private async count(sql: string): Promise<number> {
    const [row] = await this.jobs.run(sql, "count the rows to commit");
    return Number(row?.n ?? 0);
  }

  private async stageDeadLetters(file: string): Promise<(StagedTable & { fresh: number }) | undefined> {
    const table = await this.staging.tableFor(DEAD_LETTER_TABLE, deadLettersSpec().fields);
    if ((await this.staging.load(table, readJsonLines(file))) === 0) return undefined;
    return { ...table, fresh: await this.count(`SELECT COUNT(*) AS n ${newDeadLettersFrom(this.ref, table)}`) };
  }
}
