/**
 * `rox report`'s rows from the BigQuery warehouse, the twin of `io/local/duckdb-report.ts`: the same four queries in
 * GoogleSQL (no value in them but the validated table and column names), turned into the report's data by the shared
 * `reportData`. A table that does not exist yet gives no rows.
 */
import type { Contract } from "../../../schemas/contract";
import { DEAD_LETTER_TABLE, JOB_RUNS_TABLE, MONITORING_TABLE, predictionsTableName } from "../../../schemas/tables";
import { reportData, type ReportData } from "../../../transforms/report/report-data";
import { validateBigQueryTarget, validateTableId } from "../../identifiers/bigquery";
import { BigQueryJobs, type BigQueryTarget } from "./bigquery-client";
import { plainRow } from "./bigquery-rows";
import { col, tableRef, type DatasetRef } from "./bigquery-sql";

const ISO = (column: string) => `FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', ${column}, 'UTC')`;
const DAY = (column: string) => `FORMAT_TIMESTAMP('%Y-%m-%d', ${column}, 'UTC')`;

/** The report's four queries (pure), as `io/local/duckdb-report.ts` asks them of DuckDB. */
export function reportSql(ref: DatasetRef, contract: Contract, target: string) {
  const runColumns = ["runId", "job", "status", "read", "written", "deadLettered", "duplicates"].map(col);
  const drift = ["model", "version", "feature", "metric", "value", "threshold", "alert"].map(col);
  const predictions = predictionsTableName(contract);
  return {
    runs: `SELECT ${[...runColumns, `${ISO(col("startedAt"))} AS ${col("startedAt")}`].join(", ")}
      FROM ${tableRef(ref, JOB_RUNS_TABLE)} ORDER BY ${col("startedAt")}`,
    deadLetters: `SELECT CONCAT(${col("errorStage")}, '/', ${col("errorClass")}) AS ${col("reason")},
      SUM(COALESCE(${col("records")}, 1)) AS ${col("records")} FROM ${tableRef(ref, DEAD_LETTER_TABLE)}
      GROUP BY ${col("reason")} ORDER BY ${col("records")} DESC, ${col("reason")}`,
    drift: `SELECT ${DAY(col("scope_start"))} AS ${col("day")}, ${drift.join(", ")}
      FROM ${tableRef(ref, MONITORING_TABLE)} WHERE ${col("scope")} = 'day' AND STARTS_WITH(${col("metric")}, 'drift.')
      ORDER BY ${col("day")}, ${col("feature")}`,
    predictions: `SELECT ${DAY(`p.${col("event_time")}`)} AS ${col("day")}, p.${col("model")} AS ${col("model")},
      p.${col("model_version")} AS ${col("version")}, COUNT(*) AS ${col("rows")},
      AVG(p.${col("prediction")}) AS ${col("predicted")}, AVG(e.${col(target)}) AS ${col("actual")}
      FROM ${tableRef(ref, predictions)} AS p JOIN ${tableRef(ref, contract.table)} AS e
      ON e.${col(contract.idField)} = p.${col("event_id")}
      GROUP BY 1, 2, 3 ORDER BY ${col("day")}, ${col("version")}`,
  };
}

/** Reads the report's rows from the dataset (Application Default Credentials, or the emulator at `apiEndpoint`). */
export async function readBigQueryReportData(
  target: BigQueryTarget,
  contract: Contract,
  targetField: string,
): Promise<ReportData> {
  validateBigQueryTarget(target);
  const jobs = await BigQueryJobs.connect(target);
  const sql = reportSql(jobs.target, contract, targetField);
  const rows = async (table: string, query: string, what: string) =>
    (await jobs.tableExists(validateTableId(table)))
      ? (await jobs.run(query, `read the report's ${what}`)).map(plainRow)
      : [];
  return reportData(
    {
      runs: await rows(JOB_RUNS_TABLE, sql.runs, "runs"),
      deadLetters: await rows(DEAD_LETTER_TABLE, sql.deadLetters, "dead letters"),
      drift: await rows(MONITORING_TABLE, sql.drift, "drift"),
      predictions: await rows(predictionsTableName(contract), sql.predictions, "predictions"),
    },
    new Date().toISOString(),
  );
}
