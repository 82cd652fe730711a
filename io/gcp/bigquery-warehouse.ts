import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { BigQueryField } from "../../schemas/bigquery";
import type { Contract, WindowFeatureSpec } from "../../schemas/contract";
import { DEAD_LETTER_TABLE } from "../../schemas/tables";
import type { JobSummary } from "../../transforms/summary";
import { windowTableName } from "../../transforms/window-rows";
import { validateBigQueryTarget, validateTableId } from "../identifiers/bigquery";
import { readJsonLines } from "../local/json-lines";
import type { CommitReport, PrepareReport, StagedChunk, Warehouse } from "../ports";
import { BigQueryJobs, type BigQueryTarget } from "./bigquery-client";
import { commitScript, newDeadLettersFrom, type CommitPlan, type StagedTable } from "./bigquery-commit";
import { BigQueryWarehouseError } from "./bigquery-errors";
import { plainRow, stagingFields } from "./bigquery-rows";
import { col, onDays, tableRef } from "./bigquery-sql";
import { writeFreshEvents, writeLoadFile } from "./bigquery-stage-files";
import { contractTables, deadLettersSpec, eventsSpec, JOB_RUNS_TABLE, windowSpec } from "./bigquery-tables";
import { mergedWindowRows } from "./bigquery-windows";

export type { BigQueryTarget } from "./bigquery-client";

/** Staging tables outlive a crashed run by at most this long: BigQuery drops them itself. */
const STAGE_TTL_MS = 24 * 3600_000;

interface Prepared {
  events: StagedTable;
  fresh: number;
  replaceDays: string[];
}

/**
 * The BigQuery warehouse: the same tables and semantics as `DuckDbWarehouse`. A chunk's events are loaded into a
 * staging table (prepare); the commit is one multi-statement transaction job, so nothing of a failed chunk lands.
 */
export class BigQueryWarehouse implements Warehouse {
  /** Days this instance already emptied for `replace` (committed), so a later chunk of the same run keeps them. */
  private replaced = new Set<string>();
  private pending: Prepared | undefined;
  private stages = new Set<string>();

  private constructor(
    private readonly jobs: BigQueryJobs,
    private readonly scratch: string,
    private readonly token: string,
  ) {}

  /** Ids are checked before any call; `apiEndpoint` points at an emulator, else Application Default Credentials are used. */
  static async open(target: BigQueryTarget): Promise<BigQueryWarehouse> {
    validateBigQueryTarget(target);
    const jobs = await BigQueryJobs.connect(target);
    return new BigQueryWarehouse(jobs, fs.mkdtempSync(path.join(os.tmpdir(), "rox-bq-")), randomBytes(4).toString("hex"));
  }

  async ensureTables(contract: Contract): Promise<void> {
    await this.jobs.ensureDataset();
    for (const [name, spec] of contractTables(contract)) await this.jobs.ensureTable(validateTableId(name), spec);
  }

  async prepareChunk(contract: Contract, chunk: StagedChunk, freshEventsPath: string, opts: { replace: boolean }): Promise<PrepareReport> {
    this.pending = undefined;
    const events = await this.stageFor(contract.table, eventsSpec(contract).fields);
    const staged = await this.load(events, readJsonLines(chunk.events));
    const replaceDays = opts.replace ? await this.daysToReplace(contract, events.stage) : [];
    const present = await this.presentIds(contract, events.stage, replaceDays);
    const fresh = writeFreshEvents(contract, chunk.events, present, freshEventsPath);
    this.pending = { events, fresh, replaceDays };
    return { staged, fresh, alreadyPresent: staged - fresh, replacedPartitions: replaceDays };
  }

  private async daysToReplace(contract: Contract, stage: string): Promise<string[]> {
    const rows = await this.jobs.run(`SELECT DISTINCT CAST(DATE(${col(contract.eventTimeField)}) AS STRING) AS day FROM ${this.ref(stage)}`, "find the days to replace");
    return rows.map((r) => String(r.day)).filter((day) => !this.replaced.has(day)).sort();
  }

  /** Ids of staged events the table already holds (outside the days about to be replaced). */
  private async presentIds(contract: Contract, stage: string, replaceDays: string[]): Promise<Set<string>> {
    const id = col(contract.idField);
    const outside = replaceDays.length ? ` WHERE NOT ${onDays(contract.eventTimeField, replaceDays, "e")}` : "";
    const sql = `SELECT DISTINCT CAST(s.${id} AS STRING) AS id FROM ${this.ref(stage)} AS s JOIN ${this.ref(contract.table)} AS e ON e.${id} = s.${id}${outside}`;
    return new Set((await this.jobs.run(sql, "find the events already present")).map((r) => String(r.id)));
  }

  async commitChunk(contract: Contract, chunk: StagedChunk, runSummary?: (report: CommitReport) => JobSummary): Promise<CommitReport> {
    const pending = this.pending;
    if (!pending) throw new BigQueryWarehouseError("commit", "no prepared chunk (prepareChunk must come first)");
    const deadLetters = await this.stageDeadLetters(chunk.deadLetters);
    const windows: CommitPlan["windows"] = [];
    const windowRows: Record<string, number> = {};
    for (const window of contract.features?.windows ?? []) {
      const staged = await this.stageWindow(contract, window, chunk.windowPartials[window.name], pending.replaceDays);
      windowRows[windowTableName(contract, window)] = staged?.rows ?? 0;
      if (staged) windows.push(staged.table);
    }
    const report = { eventsWritten: pending.fresh, deadLettersWritten: deadLetters?.fresh ?? 0, windowRows };
    const plan: CommitPlan = {
      ref: this.jobs.target,
      events: { ...pending.events, idField: contract.idField, eventTimeField: contract.eventTimeField, fresh: pending.fresh },
      deadLetters,
      windows,
      windowTables: (contract.features?.windows ?? []).map((w) => windowTableName(contract, w)),
      replaceDays: pending.replaceDays,
      summary: runSummary && { table: JOB_RUNS_TABLE, row: runSummary(report) },
    };
    await this.jobs.run(commitScript(plan), "commit (one transaction)");
    pending.replaceDays.forEach((day) => this.replaced.add(day));
    this.pending = undefined;
    return report;
  }

  private async stageDeadLetters(file: string): Promise<(StagedTable & { fresh: number }) | undefined> {
    const table = await this.stageFor(DEAD_LETTER_TABLE, deadLettersSpec().fields);
    if ((await this.load(table, readJsonLines(file))) === 0) return undefined;
    const [row] = await this.jobs.run(`SELECT COUNT(*) AS n ${newDeadLettersFrom(this.jobs.target, table)}`, "count new dead letters");
    return { ...table, fresh: Number(row.n) };
  }

  private async stageWindow(contract: Contract, window: WindowFeatureSpec, partialsFile: string | undefined, replaceDays: string[]) {
    const partials = partialsFile && fs.existsSync(partialsFile) ? [...readJsonLines(partialsFile)] : [];
    if (partials.length === 0) return undefined;
    const target = windowTableName(contract, window);
    const run = (sql: string) => this.jobs.run(sql, `read the stored rows of ${target}`);
    const merged = await mergedWindowRows(run, this.jobs.target, contract, window, partials, replaceDays);
    const table = { ...(await this.stageFor(target, windowSpec(contract, window).fields)), key: window.key };
    return { table, rows: await this.load(table, merged) };
  }

  /** Replaces a staging table's rows with `rows` (converted for a JSON load); returns how many were loaded. */
  private async load(table: StagedTable, rows: Iterable<Record<string, unknown>>): Promise<number> {
    const file = path.join(this.scratch, `${table.stage}.jsonl`);
    writeLoadFile(rows, table.fields, file);
    return this.jobs.load(table.stage, file, stagingFields(table.fields), `load ${table.target} into ${table.stage}`);
  }

  /**
   * This instance's staging table for `target`, created once with an expiration time and its staging schema (created
   * without one, bqemulator keeps a placeholder column that a later load's schema does not replace).
   */
  private async stageFor(target: string, fields: BigQueryField[]): Promise<StagedTable> {
    const stage = validateTableId(`_rox_stage_${this.token}_${target}`);
    if (!this.stages.has(stage)) {
      await this.jobs.ensureTable(stage, { fields: stagingFields(fields), expiresAtMs: Date.now() + STAGE_TTL_MS });
      this.stages.add(stage);
    }
    return { stage, target, fields };
  }

  /** Nothing reaches the target tables before the commit job: dropping the prepared state is the whole abort. */
  async abortChunk(): Promise<void> {
    this.pending = undefined;
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
    for (const stage of this.stages) await this.jobs.dropTable(stage).catch(() => undefined); // they expire anyway
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }

  private ref(table: string): string {
    return tableRef(this.jobs.target, table);
  }
}
