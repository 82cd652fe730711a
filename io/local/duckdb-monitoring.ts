import type { Contract } from "../../schemas/contract";
import { monitoringTableDdl, quoteIdentifier } from "../../schemas/duckdb";
import { monitoringTable, predictionsTableName } from "../../schemas/tables";
import type { ModelCard } from "../../transforms/score/model-card";
import type { MetricRow } from "../../transforms/monitor/metric-row";
import { runTotals, storedRunCounts, type ReasonCount } from "../../transforms/monitor/quality";
import type { ScopeData } from "../../transforms/monitor/monitor-day";
import { DUCKDB_FEATURE_SQL, featureRowsSql } from "../feature-query";
import { MONITORING_TABLE, type MonitoredScope, type MonitoringRun, type MonitoringWarehouse } from "../monitoring";
import type { DuckDbWarehouse } from "./duckdb-warehouse";
import { JOB_RUNS_TABLE } from "./duckdb-job-runs";
import { q } from "./duckdb-sql";

export const MONITORING_DDL = monitoringTableDdl();

/** Every column of the layout, in its order, each a bound parameter (timestamps cast from ISO text). */
const LAYOUT = monitoringTable();
const INSERT = `INSERT INTO ${MONITORING_TABLE} (${LAYOUT.columns.map((c) => quoteIdentifier(c.name)).join(", ")})
  VALUES (${LAYOUT.columns.map((c, i) => `$${i + 1}${c.kind === "timestamp" ? "::TIMESTAMPTZ" : ""}`).join(", ")})`;
const SCOPE_KEY = "model = $1 AND version = $2 AND table_name = $3 AND scope = $4 AND scope_start = $5::TIMESTAMPTZ";

/** Monitoring on the embedded warehouse: every value a bound parameter. */
export class DuckDbMonitoring implements MonitoringWarehouse {
  constructor(private readonly warehouse: DuckDbWarehouse) {}

  async scopeData(
    contract: Contract,
    card: ModelCard,
    scope: MonitoredScope,
    trailingDays: number,
  ): Promise<ScopeData> {
    const filter = { since: scope.start, before: scope.end };
    const featureRows = await this.warehouse.query(
      featureRowsSql(contract, card.target.name, card.features, DUCKDB_FEATURE_SQL, filter),
    );
    const runIds = [...new Set(featureRows.map((r) => String(r.run_id)))];
    const { read, deadLetters } = await this.runCounts(runIds);
    const predictions = await this.predictions(contract, scope);
    const trailingRows = await this.trailingRows(contract, scope, trailingDays);
    return { card, featureRows, predictions, deadLetters, read, trailingRows };
  }

  async replaceScope(scope: MonitoredScope, run: MonitoringRun, rows: readonly MetricRow[]): Promise<number> {
    await this.warehouse.query(MONITORING_DDL);
    const key = [scope.model, scope.version, scope.table, scope.scope, scope.start];
    await this.warehouse.query("BEGIN TRANSACTION");
    try {
      const [deleted] = await this.warehouse.query(`DELETE FROM ${MONITORING_TABLE} WHERE ${SCOPE_KEY}`, key);
      for (const r of rows) {
        const values = [r.feature, r.metric, r.value, r.threshold, r.errorThreshold, r.alert, r.severity, r.rows];
        await this.warehouse.query(INSERT, [...key, scope.end, ...values, run.runId, run.computedAt]);
      }
      await this.warehouse.query("COMMIT");
      return Number(Object.values(deleted ?? {})[0] ?? 0);
    } catch (err) {
      await this.warehouse.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }

  /** Records the runs read, and their dead letters by reason (duplicates are not dead letters). */
  private async runCounts(runIds: string[]): Promise<{ read: number; deadLetters: ReasonCount[] }> {
    if (runIds.length === 0) return { read: 0, deadLetters: [] };
    const runs = await this.warehouse.query(
      `SELECT "read", "byReason" FROM ${JOB_RUNS_TABLE} WHERE list_contains($1, "runId")`,
      [runIds],
    );
    return runTotals(runs.map(storedRunCounts));
  }

  private async predictions(contract: Contract, scope: MonitoredScope): Promise<number[]> {
    const table = predictionsTableName(contract);
    if (!(await this.exists(table))) return [];
    const where =
      "model = $1 AND model_version = $2 AND event_time >= $3::TIMESTAMPTZ AND event_time < $4::TIMESTAMPTZ";
    const rows = await this.warehouse.query(`SELECT prediction FROM ${q(table)} WHERE ${where}`, [
      scope.model,
      scope.version,
      scope.start,
      scope.end,
    ]);
    return rows.map((r) => Number(r.prediction));
  }

  /** Rows of the scope's span [start, end) on each of the trailing days that holds any (a day: the whole day). */
  private async trailingRows(contract: Contract, scope: MonitoredScope, days: number): Promise<number[]> {
    const time = q(contract.eventTimeField);
    const offset = `(epoch(${time}) - epoch($1::TIMESTAMPTZ))`;
    const since = `$1::TIMESTAMPTZ - ${Math.trunc(days)} * INTERVAL 1 DAY`;
    const inSpan = `((${offset} % 86400) + 86400) % 86400 < $2`;
    const range = `${time} >= ${since} AND ${time} < $1::TIMESTAMPTZ AND ${inSpan}`;
    const sql = `SELECT count(*) AS n FROM ${q(contract.table)} WHERE ${range} GROUP BY floor(${offset} / 86400)`;
    const span = (Date.parse(scope.end) - Date.parse(scope.start)) / 1000;
    return (await this.warehouse.query(sql, [scope.start, span])).map((r) => Number(r.n));
  }

  private async exists(table: string): Promise<boolean> {
    const rows = await this.warehouse.query("SELECT 1 FROM information_schema.tables WHERE table_name = $1", [table]);
    return rows.length > 0;
  }
}
