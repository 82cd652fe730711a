import * as fs from "fs";
import * as path from "path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Contract, WindowFeatureSpec } from "../../schemas/contract";
import { deadLetterTableDdl, eventsTableDdl, windowTableDdl } from "../../schemas/duckdb";
import { DEAD_LETTER_TABLE } from "../../schemas/tables";
import type { CommitReport, PrepareReport, StagedChunk, Warehouse } from "../ports";
import type { JobSummary } from "../../transforms/summary";
import { featureModule } from "../../transforms/features";
import { readJsonLines, JsonLinesAppender } from "./json-lines";
import { mergeWindowRows, windowTableName, accumulatorColumns } from "../../transforms/window-rows";

export const JOB_RUNS_TABLE = "job_runs";

/** Every run's summary, updated with each committed chunk or micro-batch (the summary JSON file is a copy). */
export const JOB_RUNS_DDL = `CREATE TABLE IF NOT EXISTS ${JOB_RUNS_TABLE} (
  "runId" VARCHAR PRIMARY KEY, "job" VARCHAR NOT NULL, "schema" VARCHAR NOT NULL, "startedAt" TIMESTAMPTZ NOT NULL,
  "finishedAt" TIMESTAMPTZ NOT NULL, "read" BIGINT NOT NULL, "written" BIGINT NOT NULL, "deadLettered" BIGINT NOT NULL,
  "duplicates" BIGINT NOT NULL, "byTable" JSON, "byReason" JSON)`;

/** The embedded warehouse: one DuckDB file. A chunk's prepare and commit run in one transaction. */
export class DuckDbWarehouse implements Warehouse {
  /** Partitions this instance emptied for `replace` in a committed chunk, so a later chunk of the same run keeps them. */
  private replaced = new Set<string>();
  /** Partitions the open chunk emptied: replaced for good only once its transaction commits (a retry empties them again). */
  private replacing: string[] = [];

  private constructor(private readonly instance: DuckDBInstance, private readonly db: DuckDBConnection, private readonly scratch: string) {}

  static async open(file: string): Promise<DuckDbWarehouse> {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const instance = await DuckDBInstance.create(file);
    const db = await instance.connect();
    await db.run("SET TimeZone = 'UTC'");
    const scratch = fs.mkdtempSync(path.join(path.dirname(path.resolve(file)), ".rox-load-"));
    return new DuckDbWarehouse(instance, db, scratch);
  }

  async ensureTables(contract: Contract): Promise<void> {
    await this.db.run(JOB_RUNS_DDL);
    await this.db.run(eventsTableDdl(contract));
    await this.db.run(deadLetterTableDdl(DEAD_LETTER_TABLE));
    for (const window of contract.features?.windows ?? []) await this.ensureWindowTable(contract, window);
  }

  private async ensureWindowTable(contract: Contract, window: WindowFeatureSpec): Promise<void> {
    const table = windowTableName(contract, window);
    await this.db.run(windowTableDdl(contract, window));
    // Integer accumulators beside the outputs: partials from any chunk or micro-batch merge to the same result.
    for (const column of accumulatorColumns(featureModule(contract.features?.module).windows[window.name])) {
      await this.db.run(`ALTER TABLE ${q(table)} ADD COLUMN IF NOT EXISTS ${q(column)} BIGINT`);
    }
  }

  async prepareChunk(contract: Contract, chunk: StagedChunk, freshEventsPath: string, opts: { replace: boolean }): Promise<PrepareReport> {
    this.replacing = [];
    await this.db.run("BEGIN TRANSACTION");
    await this.db.run(`CREATE OR REPLACE TEMP TABLE rox_stage AS SELECT * FROM ${q(contract.table)} LIMIT 0`);
    await this.db.run(`COPY rox_stage FROM ${lit(chunk.events)} (FORMAT json)`);
    const replacedPartitions = opts.replace ? await this.emptyPartitions(contract) : [];
    await this.db.run(`CREATE OR REPLACE TEMP TABLE rox_fresh AS SELECT s.* FROM rox_stage s ANTI JOIN ${q(contract.table)} e ON s.${q(contract.idField)} = e.${q(contract.idField)}`);
    await this.db.run(`COPY (SELECT ${epochMsSelect(contract)} FROM rox_fresh) TO ${lit(freshEventsPath)} (FORMAT json)`);
    const staged = await this.count("rox_stage");
    const fresh = await this.count("rox_fresh");
    return { staged, fresh, alreadyPresent: staged - fresh, replacedPartitions };
  }

  private async emptyPartitions(contract: Contract): Promise<string[]> {
    const days = (await this.query(`SELECT DISTINCT strftime(${q(contract.eventTimeField)}, '%Y-%m-%d') AS day FROM rox_stage`))
      .map((r) => String(r.day))
      .filter((day) => !this.replaced.has(day));
    if (days.length === 0) return [];
    const list = days.map(lit).join(", ");
    await this.db.run(`DELETE FROM ${q(contract.table)} WHERE strftime(${q(contract.eventTimeField)}, '%Y-%m-%d') IN (${list})`);
    for (const window of contract.features?.windows ?? []) {
      await this.db.run(`DELETE FROM ${q(windowTableName(contract, window))} WHERE strftime(window_start, '%Y-%m-%d') IN (${list})`);
    }
    this.replacing = days;
    return days;
  }

  async commitChunk(contract: Contract, chunk: StagedChunk, runSummary?: (report: CommitReport) => JobSummary): Promise<CommitReport> {
    try {
      const eventsWritten = await this.changed(`INSERT INTO ${q(contract.table)} SELECT * FROM rox_fresh`);
      const deadLettersWritten = await this.appendDeadLetters(chunk.deadLetters);
      const windowRows: Record<string, number> = {};
      for (const window of contract.features?.windows ?? []) {
        windowRows[windowTableName(contract, window)] = await this.mergeWindow(contract, window, chunk.windowPartials[window.name]);
      }
      const report = { eventsWritten, deadLettersWritten, windowRows };
      if (runSummary) await this.recordRun(runSummary(report));
      await this.db.run("COMMIT");
      this.replacing.forEach((day) => this.replaced.add(day));
      this.replacing = [];
      return report;
    } catch (err) {
      await this.db.run("ROLLBACK");
      throw err;
    }
  }

  private async recordRun(summary: JobSummary): Promise<void> {
    const row = { ...summary, byTable: JSON.stringify(summary.byTable), byReason: JSON.stringify(summary.byReason) };
    const columns = Object.keys(row);
    const values = Object.values(row).map((v) => (typeof v === "number" ? String(v) : lit(String(v))));
    await this.db.run(`INSERT OR REPLACE INTO ${JOB_RUNS_TABLE} (${columns.map(q).join(", ")}) VALUES (${values.join(", ")})`);
  }

  async abortChunk(): Promise<void> {
    await this.db.run("ROLLBACK").catch(() => undefined); // nothing open is fine: the chunk failed before prepare
  }

  /** Dead letters are keyed by where the record came from and why it failed, so a rerun adds none twice. */
  private async appendDeadLetters(file: string): Promise<number> {
    // Staged rows carry raw bytes as base64 text (JSON has no bytes); the table's BLOB gets the bytes themselves.
    await this.db.run(`CREATE OR REPLACE TEMP TABLE rox_dead AS SELECT * REPLACE (CAST(NULL AS VARCHAR) AS payloadBytes) FROM ${DEAD_LETTER_TABLE} LIMIT 0`);
    await this.db.run(`COPY rox_dead FROM ${lit(file)} (FORMAT json)`);
    const same = ["sourceUri", "sourceLine", "messageId", "errorClass"].map((c) => `d.${c} IS NOT DISTINCT FROM x.${c}`).join(" AND ");
    const rows = `SELECT d.* REPLACE (from_base64(d.payloadBytes) AS payloadBytes) FROM rox_dead d ANTI JOIN ${DEAD_LETTER_TABLE} x ON ${same}`;
    return this.changed(`INSERT INTO ${DEAD_LETTER_TABLE} ${rows}`);
  }

  /** Upserts the window rows a chunk touched: stored accumulator + the chunk's partial, finished again. */
  private async mergeWindow(contract: Contract, window: WindowFeatureSpec, partialsFile: string | undefined): Promise<number> {
    if (!partialsFile || !fs.existsSync(partialsFile)) return 0;
    const table = windowTableName(contract, window);
    const partials = [...readJsonLines(partialsFile)];
    if (partials.length === 0) return 0;
    const stored = await this.storedWindowRows(table, window, partials);
    const merged = mergeWindowRows(contract, window, partials, stored, new Date().toISOString());
    const file = path.join(this.scratch, `${table}.jsonl`);
    fs.rmSync(file, { force: true });
    const out = new JsonLinesAppender(file);
    merged.forEach((row) => out.append(row));
    out.close();
    await this.db.run(`INSERT OR REPLACE INTO ${q(table)} BY NAME SELECT * FROM read_json(${lit(file)}, columns = ${await this.columnsOf(table)})`);
    return merged.length;
  }

  private async storedWindowRows(table: string, window: WindowFeatureSpec, partials: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const keys = [...new Set(partials.map((p) => String(p[window.key])))];
    // A loop, not Math.min(...starts): a large chunk has more partials than a call's argument list can hold.
    let first = Infinity;
    let last = -Infinity;
    for (const p of partials) {
      const start = Date.parse(String(p.window_start));
      first = Math.min(first, start);
      last = Math.max(last, start);
    }
    const range = `epoch_ms(window_start) BETWEEN ${first} AND ${last}`;
    return this.query(`SELECT *, epoch_ms(window_start) AS start_ms FROM ${q(table)} WHERE ${range} AND ${q(window.key)} IN (${keys.map(lit).join(", ")})`);
  }

  private async columnsOf(table: string): Promise<string> {
    const rows = await this.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ${lit(table)} ORDER BY ordinal_position`);
    return "{" + rows.map((r) => `${lit(String(r.column_name))}: ${lit(String(r.data_type))}`).join(", ") + "}";
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.db.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  private async count(table: string): Promise<number> {
    const [row] = await this.query(`SELECT count(*) AS n FROM ${table}`);
    return Number(row.n);
  }

  private async changed(sql: string): Promise<number> {
    const result = await this.db.run(sql);
    return Number(result.rowsChanged);
  }

  async close(): Promise<void> {
    this.db.closeSync();
    this.instance.closeSync();
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }
}

function epochMsSelect(contract: Contract): string {
  const stamps = contract.fields.filter((f) => f.kind === "timestamp").map((f) => `epoch_ms(${q(f.name)}) AS ${q(f.name)}`);
  return stamps.length ? `* REPLACE (${stamps.join(", ")})` : "*";
}

/** Quotes an identifier (names come from validated schemas, quoting keeps reserved words safe). */
export function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal. */
export function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
