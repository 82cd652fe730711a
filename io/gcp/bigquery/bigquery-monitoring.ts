/**
 * Monitoring on the BigQuery warehouse, the twin of `DuckDbMonitoring`: a scope's feature rows (the same feature query
 * as training and scoring, in GoogleSQL), the runs' counts, the version's predictions and the trailing volumes read
 * with bound parameters; the scope's `monitoring` rows replaced by one transaction job from staging tables.
 */
import { monitoringTableSchema } from "../../../schemas/bigquery";
import type { Contract } from "../../../schemas/contract";
import { JOB_RUNS_TABLE, predictionsTableName } from "../../../schemas/tables";
import type { MetricRow } from "../../../transforms/monitor/metric-row";
import type { ScopeData } from "../../../transforms/monitor/monitor-day";
import { runTotals, storedRunCounts, type ReasonCount } from "../../../transforms/monitor/quality";
import type { ModelCard } from "../../../transforms/score/model-card";
import { bigQueryFeatureSql, featureRowsSql } from "../../feature-query";
import { validateBigQueryTarget } from "../../identifiers/bigquery";
import { MONITORING_TABLE, type MonitoredScope, type MonitoringRun, type MonitoringWarehouse } from "../../monitoring";
import { BigQueryJobs, type BigQueryTarget } from "./bigquery-client";
import {
  monitoringRow,
  replaceScopeScript,
  runCountsSql,
  scopeKeyFields,
  scopeKeyRow,
  scopePredictionsSql,
  scopeRowsCountSql,
  trailingRowsSql,
} from "./bigquery-monitoring-sql";
import { plainRow } from "./bigquery-rows";
import { BigQueryStaging } from "./bigquery-staging";

const LAYOUT = monitoringTableSchema();

export class BigQueryMonitoring implements MonitoringWarehouse {
  private constructor(
    private readonly jobs: BigQueryJobs,
    private readonly staging: BigQueryStaging,
  ) {}

  /** Ids are checked before any call; `apiEndpoint` points at an emulator, else Application Default Credentials. */
  static async open(target: BigQueryTarget): Promise<BigQueryMonitoring> {
    validateBigQueryTarget(target);
    const jobs = await BigQueryJobs.connect(target);
    return new BigQueryMonitoring(jobs, BigQueryStaging.open(jobs, "rox-bq-monitor-"));
  }

  async scopeData(
    contract: Contract,
    card: ModelCard,
    scope: MonitoredScope,
    trailingDays: number,
  ): Promise<ScopeData> {
    const filter = { since: scope.start, before: scope.end };
    const sql = featureRowsSql(contract, card.target.name, card.features, bigQueryFeatureSql(this.ref), filter);
    const featureRows: Record<string, unknown>[] = [];
    for await (const row of this.jobs.eachRow(sql, "read the scope's feature rows")) featureRows.push(plainRow(row));
    const runIds = [...new Set(featureRows.map((r) => String(r.run_id)))];
    const { read, deadLetters } = await this.runCounts(runIds);
    const predictions = await this.predictions(contract, scope);
    const trailingRows = await this.trailingRows(contract, scope, trailingDays);
    return { card, featureRows, predictions, deadLetters, read, trailingRows };
  }

  async replaceScope(scope: MonitoredScope, run: MonitoringRun, rows: readonly MetricRow[]): Promise<number> {
    await this.jobs.ensureDataset();
    await this.jobs.ensureTable(MONITORING_TABLE, LAYOUT);
    const key = await this.staging.tableFor("monitoring_scope", scopeKeyFields(LAYOUT.fields));
    await this.staging.load(key, [scopeKeyRow(scope)]);
    const staged = await this.staging.tableFor(MONITORING_TABLE, LAYOUT.fields);
    await this.staging.load(
      staged,
      rows.map((r) => monitoringRow(scope, run, r)),
    );
    const [counted] = await this.jobs.run(
      scopeRowsCountSql(this.ref, MONITORING_TABLE, key.stage),
      "count the scope's monitoring rows",
    );
    const replaced = Number(counted?.n ?? 0);
    const script = replaceScopeScript({
      ref: this.ref,
      monitoring: MONITORING_TABLE,
      scope: key.stage,
      rows: staged.stage,
      fields: LAYOUT.fields,
      replaced,
    });
    await this.jobs.run(script, "replace the scope's monitoring rows (one transaction)");
    return replaced;
  }

  /** Drops this instance's staging tables (they expire anyway) and its scratch folder. */
  async close(): Promise<void> {
    await this.staging.close();
  }

  private get ref() {
    return this.jobs.target;
  }

  /** Records the runs read, and their dead letters by reason (duplicates are not dead letters). */
  private async runCounts(runIds: string[]): Promise<{ read: number; deadLetters: ReasonCount[] }> {
    if (runIds.length === 0 || !(await this.jobs.tableExists(JOB_RUNS_TABLE))) return { read: 0, deadLetters: [] };
    const runs = await this.jobs.run(runCountsSql(this.ref, JOB_RUNS_TABLE), "read the runs' counts", {
      params: { ids: runIds },
    });
    return runTotals(runs.map(storedRunCounts));
  }

  private async predictions(contract: Contract, scope: MonitoredScope): Promise<number[]> {
    const table = predictionsTableName(contract);
    if (!(await this.jobs.tableExists(table))) return [];
    const params = { model: scope.model, version: scope.version, start: scope.start, end: scope.end };
    const rows: number[] = [];
    const sql = scopePredictionsSql(this.ref, table);
    for await (const row of this.jobs.eachRow(sql, "read the scope's predictions", { params }))
      rows.push(Number(row.prediction));
    return rows;
  }

  /** Rows of the scope's span on each of the trailing days that holds any (a day: the whole day). */
  private async trailingRows(contract: Contract, scope: MonitoredScope, days: number): Promise<number[]> {
    const span = (Date.parse(scope.end) - Date.parse(scope.start)) * 1000;
    const rows = await this.jobs.run(trailingRowsSql(this.ref, contract, days), "count the trailing days' rows", {
      params: { start: scope.start, span_micros: span },
    });
    return rows.map((r) => Number(r.n));
  }
}
