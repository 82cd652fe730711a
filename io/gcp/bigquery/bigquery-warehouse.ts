import * as fs from "fs";
import type { BigQueryField } from "../../../schemas/bigquery";
import type { Contract, WindowFeatureSpec } from "../../../schemas/contract";
import { DEAD_LETTER_TABLE } from "../../../schemas/tables";
import type { JobSummary } from "../../../transforms/summary";
import { windowTableName } from "../../../transforms/window-rows";
import { validateBigQueryTarget, validateTableId } from "../../identifiers/bigquery";
import { readJsonLines } from "../../files/json-lines";
import { InputError } from "../../errors";
import type {
  CommitReport,
  DeadLetterExport,
  PreparedChunk,
  RunStageReport,
  RunStageTables,
  RunStageWarehouse,
  StagedChunk,
  Warehouse,
} from "../../ports";
import { preparedChunk } from "../../prepared-chunk";
import type { DeadLetterSelection } from "../../../transforms/replay";
import { SETTLED_FIELDS } from "./bigquery-replay";
import { exportLiveDeadLetters } from "./bigquery-replay-export";
import { BigQueryJobs, type BigQueryTarget } from "./bigquery-client";
import {
  commitScript,
  freshEventsFrom,
  newDeadLettersFrom,
  type CommitPlan,
  type StagedTable,
} from "./bigquery-commit";
import { BigQueryWarehouseError } from "./bigquery-errors";
import { plainRow } from "./bigquery-rows";
import { col, onDays, tableRef, type ReplaceDays } from "./bigquery-sql";
import { abandonedRunsSql, markAbandonedSql, ownerIsGone } from "./bigquery-job-runs";
import { mergeJobRun } from "./bigquery-commit";
import { jobRunRow, type RunStatus } from "../../../transforms/summary";
import { runOwner } from "../../local/duckdb-job-runs";
import { deadLetterReasonsSql, stagedIdsSql } from "./bigquery-run-stage";
import { keepFreshEvents, writeEventFiles, writeFreshEventRows, type EventFiles } from "./bigquery-stage-files";
import {
  contractTables,
  deadLettersSpec,
  eventsSpec,
  JOB_RUNS_STAGE_FIELDS,
  JOB_RUNS_TABLE,
  windowSpec,
} from "./bigquery-tables";
import { mergedWindowRows } from "./bigquery-windows";
import { BigQueryStaging, STAGE_TTL_MS } from "./bigquery-staging";

export type { BigQueryTarget } from "./bigquery-client";

type StagedDeadLetters = StagedTable & { fresh: number };

/** What a prepare staged, for its handle's commit. */
interface Prepared {
  events: StagedTable;
  fresh: number;
  replace?: ReplaceDays;
}

/** Nothing reaches the target tables before the commit job: a handle's abort has nothing to undo. */
const NOTHING_TO_ABORT = async (): Promise<void> => undefined;

/**
 * The BigQuery warehouse: the same tables and semantics as `DuckDbWarehouse`. A chunk's events are loaded into a
 * staging table (prepare); the commit is one multi-statement transaction job, so nothing of a failed chunk lands, and
 * an abort has nothing to undo.
 */
export class BigQueryWarehouse implements Warehouse, RunStageWarehouse {
  /**
   * 8 MiB of input per batch chunk (the job's measured default before DuckDB's memory bound cut it to 2 MiB): each
   * chunk costs about six BigQuery jobs (loads, the presence check, the window read-back, the commit transaction)
   * whatever its size, and real BigQuery jobs take seconds each, so fewer chunks pay here (docs/benchmarks.md).
   */
  readonly defaultChunkBytes = 8 << 20;
  /** Days this instance already emptied for `replace` (committed), so a later chunk of the same run keeps them. */
  private replaced = new Set<string>();

  private constructor(
    private readonly jobs: BigQueryJobs,
    private readonly staging: BigQueryStaging,
  ) {}

  /** Ids are checked before any call; `apiEndpoint` points at an emulator, else Application Default Credentials are used. */
  static async open(target: BigQueryTarget): Promise<BigQueryWarehouse> {
    validateBigQueryTarget(target);
    const jobs = await BigQueryJobs.connect(target);
    return new BigQueryWarehouse(jobs, BigQueryStaging.open(jobs, "rox-bq-"));
  }

  /** Whether the warehouse's dataset exists (`datasets.get`). */
  async datasetExists(): Promise<boolean> {
    return this.jobs.datasetExists();
  }

  async ensureTables(contract: Contract): Promise<void> {
    await this.jobs.ensureDataset();
    for (const [name, spec] of contractTables(contract)) await this.jobs.ensureTable(validateTableId(name), spec);
  }

  async prepareChunk(
    contract: Contract,
    chunk: StagedChunk,
    freshEventsPath: string,
    opts: { replace: boolean },
  ): Promise<PreparedChunk> {
    const events = await this.staging.tableFor(contract.table, eventsSpec(contract).fields);
    let written: EventFiles = { rows: 0, ids: [] };
    const staged = await this.staging.loadFile(events, (file) => {
      written = writeEventFiles(contract, events.fields, chunk.events, file, freshEventsPath);
      return written.rows;
    });
    const replace = opts.replace ? await this.daysToReplace(contract, events.stage) : undefined;
    const present = await this.presentIds(contract, events.stage, replace);
    const fresh = keepFreshEvents(freshEventsPath, written, present);
    const prepared: Prepared = { events, fresh, replace };
    return preparedChunk({
      report: { staged, fresh, alreadyPresent: staged - fresh, replacedPartitions: replace?.days ?? [] },
      query: (sql) => this.query(sql),
      commit: (toCommit, runSummary) => this.commitChunk(contract, prepared, toCommit, runSummary),
      abort: NOTHING_TO_ABORT,
    });
  }

  /** The days the staged events cover that this run has not emptied yet, loaded into a staging table the SQL reads. */
  private async daysToReplace(contract: Contract, stage: string): Promise<ReplaceDays | undefined> {
    const rows = await this.jobs.run(
      `SELECT DISTINCT CAST(DATE(${col(contract.eventTimeField)}) AS STRING) AS day FROM ${this.ref(stage)}`,
      "find the days to replace",
    );
    const days = rows
      .map((r) => String(r.day))
      .filter((day) => !this.replaced.has(day))
      .sort();
    if (days.length === 0) return undefined;
    const table = await this.staging.tableFor("replace_days", [{ name: "day", type: "DATE", mode: "REQUIRED" }]);
    await this.staging.load(
      table,
      days.map((day) => ({ day })),
    );
    return { days, table: this.ref(table.stage) };
  }

  /** Ids of staged events the table already holds (outside the days about to be replaced). */
  private async presentIds(contract: Contract, stage: string, replace: ReplaceDays | undefined): Promise<Set<string>> {
    const id = col(contract.idField);
    const outside = replace ? ` WHERE NOT ${onDays(contract.eventTimeField, replace, "e")}` : "";
    const sql = `SELECT DISTINCT CAST(s.${id} AS STRING) AS id FROM ${this.ref(stage)} AS s JOIN ${this.ref(contract.table)} AS e ON e.${id} = s.${id}${outside}`;
    return new Set((await this.jobs.run(sql, "find the events already present")).map((r) => String(r.id)));
  }

  private async commitChunk(
    contract: Contract,
    prepared: Prepared,
    chunk: StagedChunk,
    runSummary?: (report: CommitReport) => JobSummary,
  ): Promise<CommitReport> {
    if (chunk.predictions)
      throw new BigQueryWarehouseError(
        "commit",
        "scoring in the stream commits to the DuckDB warehouse only (not yet BigQuery)",
      );
    const deadLetters = await this.stageDeadLetters(chunk.deadLetters);
    const settled = chunk.replayed && (await this.stageReplayed(chunk.replayed.path));
    const replayed = settled && chunk.replayed && { stage: settled.stage, rows: chunk.replayed.rows };
    return this.commitPrepared(contract, prepared, deadLetters, chunk.windowPartials, runSummary, replayed);
  }

  /** A replay chunk's `SettledDeadLetter` rows, loaded for the commit's update. */
  private async stageReplayed(file: string): Promise<StagedTable> {
    const table = await this.staging.tableFor(`${DEAD_LETTER_TABLE}_replayed`, SETTLED_FIELDS);
    await this.staging.load(table, readJsonLines(file));
    return table;
  }

  async exportDeadLetters(selection: DeadLetterSelection, out: string): Promise<DeadLetterExport> {
    return exportLiveDeadLetters(this.jobs, selection, out);
  }

  /**
   * `prepareChunk` for the events and dead letters a Dataflow batch run left in its staging tables (`runStageTables`;
   * a table the run never created holds nothing): the fresh events are found by the commit's own NOT EXISTS test and
   * exported to `freshEventsPath` as `prepareChunk` writes them, and `replace` empties the days they cover. The handle's
   * commit is the same single transaction, with the window partials; the staging tables are dropped after it.
   */
  async prepareRunStage(
    contract: Contract,
    run: RunStageTables,
    freshEventsPath: string,
    opts: { replace: boolean },
  ): Promise<PreparedChunk<RunStageReport, Pick<StagedChunk, "windowPartials">>> {
    await this.requireRunStage(run);
    const events = await this.runTable(run.events, contract.table, eventsSpec(contract).fields);
    const staged = await this.countStagedEvents(contract, events.stage);
    const replace = opts.replace ? await this.daysToReplace(contract, events.stage) : undefined;
    const freshSql = `SELECT s.* ${freshEventsFrom(this.jobs.target, { ...events, idField: contract.idField, eventTimeField: contract.eventTimeField }, replace)}`;
    const fresh = await writeFreshEventRows(
      contract,
      this.jobs.eachRow(freshSql, "export the fresh events"),
      freshEventsPath,
    );
    const dead = await this.runDeadLetters(run.deadLetters);
    const report = { staged, fresh, alreadyPresent: staged - fresh, replacedPartitions: replace?.days ?? [] };
    return preparedChunk({
      report: { ...report, deadLettered: dead.staged, deadLetterReasons: dead.byReason },
      query: (sql) => this.query(sql),
      commit: async ({ windowPartials }, runSummary) => {
        const prepared = { events, fresh, replace };
        const committed = await this.commitPrepared(contract, prepared, dead.table, windowPartials, runSummary);
        for (const table of [run.events, run.deadLetters]) await this.jobs.dropTable(table);
        return committed;
      },
      abort: NOTHING_TO_ABORT,
    });
  }

  /**
   * A run without staging tables was finalized already (they are dropped by its commit) or has not written: refusing it
   * keeps a second finalize from overwriting the run's `job_runs` row with an empty one.
   */
  private async requireRunStage(run: RunStageTables): Promise<void> {
    if (await this.hasRunStage(run)) return;
    const where = `${this.jobs.target.projectId}.${this.jobs.target.dataset}`;
    throw new InputError(
      `no staging tables of the run in ${where} (${run.events}, ${run.deadLetters}): it was finalized already, or its job wrote nothing`,
    );
  }

  /** Whether a run left any staging table (a job that wrote neither an event nor a dead letter leaves none). */
  async hasRunStage(run: RunStageTables): Promise<boolean> {
    const found = await Promise.all([this.jobs.tableExists(run.events), this.jobs.tableExists(run.deadLetters)]);
    return found.some(Boolean);
  }

  /** A run's staging table as the commit reads it; created empty (and expiring) when the run wrote no row there. */
  private async runTable(stage: string, target: string, fields: BigQueryField[]): Promise<StagedTable> {
    if (!(await this.jobs.tableExists(stage)))
      await this.jobs.ensureTable(stage, { fields, expiresAtMs: Date.now() + STAGE_TTL_MS });
    return { stage, target, fields, nativeBytes: true };
  }

  private async countStagedEvents(contract: Contract, stage: string): Promise<number> {
    const [row] = await this.jobs.run(
      stagedIdsSql(this.jobs.target, stage, contract.idField),
      "count the staged events",
    );
    const [rows, ids] = [Number(row.n), Number(row.ids)];
    if (rows !== ids)
      throw new BigQueryWarehouseError(
        "prepare",
        `${stage} holds ${rows} rows for ${ids} ids: a run stages each id once`,
      );
    return rows;
  }

  private async runDeadLetters(
    stage: string,
  ): Promise<{ table?: StagedDeadLetters; staged: number; byReason: Record<string, number> }> {
    const table = await this.runTable(stage, DEAD_LETTER_TABLE, deadLettersSpec().fields);
    const reasons = await this.jobs.run(deadLetterReasonsSql(this.jobs.target, stage), "count the staged dead letters");
    const byReason = Object.fromEntries(reasons.map((r) => [String(r.reason), Number(r.n)]));
    const staged = Object.values(byReason).reduce((sum, n) => sum + n, 0);
    if (staged === 0) return { staged, byReason };
    const [row] = await this.jobs.run(
      `SELECT COUNT(*) AS n ${newDeadLettersFrom(this.jobs.target, table)}`,
      "count new dead letters",
    );
    return { table: { ...table, fresh: Number(row.n) }, staged, byReason };
  }

  private async commitPrepared(
    contract: Contract,
    prepared: Prepared,
    deadLetters: StagedDeadLetters | undefined,
    windowPartials: Record<string, string>,
    runSummary?: (report: CommitReport) => JobSummary,
    replayed?: { stage: string; rows: number },
  ): Promise<CommitReport> {
    const windows: CommitPlan["windows"] = [];
    const windowRows: Record<string, number> = {};
    for (const window of contract.features?.windows ?? []) {
      const staged = await this.stageWindow(contract, window, windowPartials[window.name], prepared.replace);
      windowRows[windowTableName(contract, window)] = staged?.rows ?? 0;
      if (staged) windows.push(staged.table);
    }
    const deadLettersWritten = deadLetters?.fresh ?? 0;
    const report: CommitReport = { eventsWritten: prepared.fresh, deadLettersWritten, windowRows };
    if (replayed) report.deadLettersReplayed = replayed.rows;
    const plan: CommitPlan = {
      ref: this.jobs.target,
      events: {
        ...prepared.events,
        idField: contract.idField,
        eventTimeField: contract.eventTimeField,
        fresh: prepared.fresh,
      },
      deadLetters,
      windows,
      windowTables: (contract.features?.windows ?? []).map((w) => windowTableName(contract, w)),
      replace: prepared.replace,
      replayed: replayed && { table: DEAD_LETTER_TABLE, ...replayed },
      summary: runSummary && { table: JOB_RUNS_TABLE, stage: await this.stageJobRun(runSummary(report), "running") },
    };
    await this.jobs.run(commitScript(plan), "commit (one transaction)");
    prepared.replace?.days.forEach((day) => this.replaced.add(day));
    return report;
  }

  private async stageDeadLetters(file: string): Promise<StagedDeadLetters | undefined> {
    if (fs.statSync(file).size === 0) return undefined; // most chunks: no staging table to empty, no REST call
    const table = await this.staging.tableFor(DEAD_LETTER_TABLE, deadLettersSpec().fields);
    if ((await this.staging.load(table, readJsonLines(file))) === 0) return undefined;
    const [row] = await this.jobs.run(
      `SELECT COUNT(*) AS n ${newDeadLettersFrom(this.jobs.target, table)}`,
      "count new dead letters",
    );
    return { ...table, fresh: Number(row.n) };
  }

  private async stageWindow(
    contract: Contract,
    window: WindowFeatureSpec,
    partialsFile: string | undefined,
    replace: ReplaceDays | undefined,
  ) {
    const partials = partialsFile && fs.existsSync(partialsFile) ? [...readJsonLines(partialsFile)] : [];
    if (partials.length === 0) return undefined;
    const target = windowTableName(contract, window);
    const run = ({ sql, params }: { sql: string; params: Record<string, unknown> }) =>
      this.jobs.run(sql, `read the stored rows of ${target}`, { params });
    const merged = await mergedWindowRows(run, this.jobs.target, contract, window, partials, replace);
    const table = { ...(await this.staging.tableFor(target, windowSpec(contract, window).fields)), key: window.key };
    return { table, rows: await this.staging.load(table, merged) };
  }

  /** Replaces a staging table's rows with `rows` (converted for a JSON load); returns how many were loaded. */
  /** The run's `job_runs` row, loaded into its staging table for `mergeJobRun`; returns the staging table's name. */
  private async stageJobRun(summary: JobSummary, status: RunStatus, owner = runOwner()): Promise<string> {
    const table = await this.staging.tableFor(JOB_RUNS_TABLE, JOB_RUNS_STAGE_FIELDS);
    await this.staging.load(table, [jobRunRow(summary, status, owner)]);
    return table.stage;
  }

  /** `owner` defaults to this process; a run that is not (a Dataflow job's) names its own, never marked abandoned. */
  async recordRun(summary: JobSummary, status: RunStatus, owner?: string): Promise<void> {
    const stage = await this.stageJobRun(summary, status, owner);
    await this.jobs.run(mergeJobRun(this.jobs.target, JOB_RUNS_TABLE, stage), "record the run in job_runs");
  }

  /** Runs still `running` whose owner is a process of this machine that is gone: other machines' runs are left alone. */
  async markAbandonedRuns(): Promise<string[]> {
    const running = await this.jobs.run(abandonedRunsSql(this.jobs.target, JOB_RUNS_TABLE), "find unfinished runs");
    const ids = running.filter((row) => ownerIsGone(String(row.owner ?? ""))).map((row) => String(row.runId));
    if (ids.length > 0)
      await this.jobs.run(markAbandonedSql(this.jobs.target, JOB_RUNS_TABLE), "mark abandoned runs", {
        params: { ids },
      });
    return ids;
  }

  /**
   * Rows as plain JSON; bare table names resolve in the warehouse's dataset. Not for `INFORMATION_SCHEMA` views: with a
   * default dataset set, bqemulator 1.4.0 fails on them (`Syntax error: Unexpected identifier "atable"`), so those
   * queries name the dataset themselves (`ds.INFORMATION_SCHEMA.COLUMNS`), as BigQuery needs anyway.
   */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const bareNames = !/INFORMATION_SCHEMA/i.test(sql);
    return (await this.jobs.run(sql, "query", { bareNames })).map(plainRow);
  }

  async close(): Promise<void> {
    await this.staging.close();
  }

  private ref(table: string): string {
    return tableRef(this.jobs.target, table);
  }
}
