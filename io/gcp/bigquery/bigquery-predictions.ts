/**
 * Scoring's side of the BigQuery warehouse, the twin of `DuckDbPredictions`: the feature query's rows exported page by
 * page, and a run's predictions and dead letters loaded into staging tables, then committed by one transaction job
 * (replace, new predictions only, new dead letters, the run's `job_runs` row) — idempotent per (day, model version).
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bigQueryPredictionsTableSchema, type BigQueryField } from "../../../schemas/bigquery";
import { DEAD_LETTER_TABLE, predictionsTableName } from "../../../schemas/tables";
import { jobRunRow } from "../../../transforms/summary";
import { JsonLinesAppender, readJsonLines } from "../../files/json-lines";
import { validateBigQueryTarget, validateTableId } from "../../identifiers/bigquery";
import { runOwner } from "../../local/duckdb-job-runs";
import { makeWorkDir, sweepWorkDirs } from "../../local/work-dirs";
import type { PredictionCommit, PredictionCommitReport, PredictionWarehouse } from "../../predictions";
import { BigQueryJobs, type BigQueryTarget } from "./bigquery-client";
import { newDeadLettersFrom, type StagedTable } from "./bigquery-commit";
import {
  freshPredictionsFrom,
  predictionCommitScript,
  replacedCountSql,
  SCOPE_FIELDS,
} from "./bigquery-predictions-sql";
import { plainRow, stagingFields } from "./bigquery-rows";
import { writeLoadFile } from "./bigquery-stage-files";
import { deadLettersSpec, JOB_RUNS_SPEC, JOB_RUNS_STAGE_FIELDS, JOB_RUNS_TABLE } from "./bigquery-tables";

/** Staging tables outlive a crashed run by at most this long: BigQuery drops them itself. */
const STAGE_TTL_MS = 24 * 3600_000;

export class BigQueryPredictions implements PredictionWarehouse {
  private stages = new Set<string>();

  private constructor(
    private readonly jobs: BigQueryJobs,
    private readonly scratch: string,
    private readonly token: string,
  ) {}

  /** Ids are checked before any call; `apiEndpoint` points at an emulator, else Application Default Credentials. */
  static async open(target: BigQueryTarget): Promise<BigQueryPredictions> {
    validateBigQueryTarget(target);
    const jobs = await BigQueryJobs.connect(target);
    sweepWorkDirs(os.tmpdir(), /rox-bq-score-/);
    return new BigQueryPredictions(jobs, makeWorkDir(os.tmpdir(), "rox-bq-score-"), randomBytes(4).toString("hex"));
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
    const scope = await this.stageFor("score_scope", SCOPE_FIELDS);
    await this.load(scope, [{ model: c.model, model_version: c.modelVersion, day: c.partition }]);
    const predictions = await this.stageFor(target, schema.fields);
    const staged = await this.load(predictions, readJsonLines(c.predictions));
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
    const run = await this.stageFor(JOB_RUNS_TABLE, JOB_RUNS_STAGE_FIELDS);
    await this.load(run, [jobRunRow(c.summary(report), "finished", runOwner())]);
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

  /** Drops this instance's staging tables (they expire anyway) and its scratch folder. */
  async close(): Promise<void> {
    for (const stage of this.stages) await this.jobs.dropTable(stage).catch(() => undefined);
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }

  private get ref() {
    return this.jobs.target;
  }

  private async count(sql: string): Promise<number> {
    const [row] = await this.jobs.run(sql, "count the rows to commit");
    return Number(row?.n ?? 0);
  }

  private async stageDeadLetters(file: string): Promise<(StagedTable & { fresh: number }) | undefined> {
    const table = await this.stageFor(DEAD_LETTER_TABLE, deadLettersSpec().fields);
    if ((await this.load(table, readJsonLines(file))) === 0) return undefined;
    return { ...table, fresh: await this.count(`SELECT COUNT(*) AS n ${newDeadLettersFrom(this.ref, table)}`) };
  }

  /** This instance's staging table for `target`, created once, expiring, with its staging schema. */
  private async stageFor(target: string, fields: BigQueryField[]): Promise<StagedTable> {
    const stage = validateTableId(`_rox_stage_${this.token}_${target}`);
    if (!this.stages.has(stage)) {
      await this.jobs.ensureTable(stage, { fields: stagingFields(fields), expiresAtMs: Date.now() + STAGE_TTL_MS });
      this.stages.add(stage);
    }
    return { stage, target, fields };
  }

  /** Replaces a staging table's rows with `rows` (converted for a JSON load); returns how many were loaded. */
  private async load(table: StagedTable, rows: Iterable<Record<string, unknown>>): Promise<number> {
    const file = path.join(this.scratch, `${table.stage}.jsonl`);
    if (writeLoadFile(rows, table.fields, file) === 0) {
      // Nothing to load: an empty table, as a truncating load would leave it.
      await this.jobs.dropTable(table.stage);
      await this.jobs.ensureTable(table.stage, {
        fields: stagingFields(table.fields),
        expiresAtMs: Date.now() + STAGE_TTL_MS,
      });
      return 0;
    }
    return this.jobs.load(table.stage, file, stagingFields(table.fields), `load ${table.target} into ${table.stage}`);
  }
}
