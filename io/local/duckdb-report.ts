import type { Contract } from "../../schemas/contract";
import { DEAD_LETTER_TABLE, predictionsTableName } from "../../schemas/tables";
import { MONITORING_TABLE } from "../monitoring";
import { reportData, type ReportData } from "../../transforms/report/report-data";
import { JOB_RUNS_TABLE } from "./duckdb-job-runs";
import type { DuckDbWarehouse } from "./duckdb-warehouse";
import { q } from "./duckdb-sql";

const ISO = (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`;

/** The report's rows from the embedded warehouse; a table that does not exist yet gives no rows. */
export async function readReportData(
  warehouse: DuckDbWarehouse,
  contract: Contract,
  target: string,
): Promise<ReportData> {
  const tables = new Set(
    (await warehouse.query("SELECT table_name FROM information_schema.tables")).map((r) => String(r.table_name)),
  );
  const rows = (table: string, sql: string) => (tables.has(table) ? warehouse.query(sql) : Promise.resolve([]));
  const runs = await rows(
    JOB_RUNS_TABLE,
    `SELECT "runId", job, ${ISO('"startedAt"')} AS "startedAt", status, "read",
    written, "deadLettered", duplicates FROM ${JOB_RUNS_TABLE} ORDER BY "startedAt"`,
  );
  const deadLetters = await rows(
    DEAD_LETTER_TABLE,
    `SELECT "errorStage" || '/' || "errorClass" AS reason,
    sum(coalesce(records, 1)) AS records FROM ${DEAD_LETTER_TABLE} GROUP BY reason ORDER BY records DESC, reason`,
  );
  const drift = await rows(
    MONITORING_TABLE,
    `SELECT strftime(scope_start, '%Y-%m-%d') AS day, model, version, feature,
    metric, value, threshold, alert FROM ${MONITORING_TABLE} WHERE scope = 'day' AND metric LIKE 'drift.%'
    ORDER BY day, feature`,
  );
  const predictionsTable = predictionsTableName(contract);
  const predictions = await rows(
    predictionsTable,
    `SELECT strftime(p.event_time, '%Y-%m-%d') AS day, p.model,
    p.model_version AS version, count(*) AS "rows", avg(p.prediction) AS predicted, avg(e.${q(target)}) AS actual
    FROM ${q(predictionsTable)} p JOIN ${q(contract.table)} e ON e.${q(contract.idField)} = p.event_id
    GROUP BY ALL ORDER BY day, version`,
  );
  return reportData({ runs, deadLetters, drift, predictions }, new Date().toISOString());
}
