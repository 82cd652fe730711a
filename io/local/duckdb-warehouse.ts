import * as fs from "fs";
import * as path from "path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Contract, WindowFeatureSpec } from "../../schemas/contract";
import {
  deadLetterColumnsDdl,
  deadLetterTableDdl,
  eventsTableDdl,
  predictionsTableDdl,
  windowTableDdl,
} from "../../schemas/duckdb";
import { DEAD_LETTER_TABLE } from "../../schemas/tables";
import type {
  CommitReport,
  DeadLetterExport,
  PreparedChunk,
  PrepareReport,
  StagedChunk,
  StagedPredictions,
  Warehouse,
} from "../ports";
import { insertPredictions } from "./duckdb-predictions";
import type { DeadLetterSelection } from "../../transforms/replay";
import { exportLiveDeadLetters, updateReplayedDeadLetters } from "./duckdb-replay";
import type { JobSummary, RunStatus } from "../../transforms/summary";
import { ensureJobRunsTable, JOB_RUNS_TABLE, markAbandoned, upsertJobRun } from "./duckdb-job-runs";
import { makeWorkDir, sweepWorkDirs } from "./work-dirs";
import { lit, q } from "./duckdb-sql";
import { DEFAULT_DUCKDB_MEMORY } from "./duckdb-memory";
import { WarehouseBusyError } from "../errors";
import { preparedChunk } from "../prepared-chunk";
import { windowAggregator } from "../../transforms/features";

export { JOB_RUNS_TABLE, DEFAULT_DUCKDB_MEMORY };
import { readJsonLines, JsonLinesAppender } from "../files/json-lines";
import { mergeWindowRows, windowTableName, accumulatorColumns } from "../../transforms/window-rows";

export interface DuckDbOptions {
  /** DuckDB's memory limit (`512MB`, `2GB`); `DEFAULT_DUCKDB_MEMORY` when absent. */
  memoryLimit?: string;
}

/**
 * A long job fills DuckDB's buffer pool with the file's blocks up to its limit; `memoryLimit` bounds it (measured in
 * docs/benchmarks.md). What does not fit spills to a folder beside the file (the same disk), not to the working folder.
 */
export function duckDbConfig(folder: string, options: DuckDbOptions): Record<string, string> {
  return {
    temp_directory: path.join(folder, ".rox-duckdb-spill"),
    memory_limit: options.memoryLimit ?? DEFAULT_DUCKDB_MEMORY,
  };
}

/**
 * The embedded warehouse: one DuckDB file. A chunk's prepare and commit run in one transaction, open while its handle
 * is (one connection: one prepared chunk at a time).
 */
export class DuckDbWarehouse implements Warehouse {
  /** Partitions this instance emptied for `replace` in a committed chunk, so a later chunk of the same run keeps them. */
  private replaced = new Set<string>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
    private readonly scratch: string,
  ) {}

  /**
   * Opens (or creates) the file. DuckDB lets one process write a file at a time: a second job gets a
   * `WarehouseBusyError` naming the holder. Load folders that killed runs left beside the file are removed.
   */
  static async open(file: string, options: DuckDbOptions = {}): Promise<DuckDbWarehouse> {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const folder = path.dirname(path.resolve(file));
    fs.mkdirSync(folder, { recursive: true });
    const instance = await DuckDBInstance.create(file, duckDbConfig(folder, options)).catch((err: Error) => {
      throw /Could not set lock on file/.test(err.message)
        ? new WarehouseBusyError(file, lockHolder(err.message), { cause: err })
        : err;
    });
    const db = await instance.connect();
    await db.run("SET TimeZone = 'UTC'");
    sweepWorkDirs(folder, /\.rox-load-/);
    return new DuckDbWarehouse(instance, db, makeWorkDir(folder, ".rox-load-"));
  }

  async ensureTables(contract: Contract): Promise<void> {
    await ensureJobRunsTable(this.db);
    await this.db.run(eventsTableDdl(contract));
    await this.ensureDeadLetterTable();
    for (const window of contract.features?.windows ?? []) await this.ensureWindowTable(contract, window);
  }

  private async ensureWindowTable(contract: Contract, window: WindowFeatureSpec): Promise<void> {
    const table = windowTableName(contract, window);
    await this.db.run(windowTableDdl(contract, window));
    // Integer accumulators beside the outputs: partials from any chunk or micro-batch merge to the same result.
    for (const column of accumulatorColumns(windowAggregator(contract, window.name))) {
      await this.db.run(`ALTER TABLE ${q(table)} ADD COLUMN IF NOT EXISTS ${q(column)} BIGINT`);
    }
  }

  async prepareChunk(
    contract: Contract,
    chunk: StagedChunk,
    freshEventsPath: string,
    opts: { replace: boolean },
  ): Promise<PreparedChunk> {
    await this.db.run("BEGIN TRANSACTION");
    try {
      const report = await this.stageChunk(contract, chunk, freshEventsPath, opts);
      return preparedChunk({
        report,
        query: (sql) => this.query(sql),
        commit: (toCommit, runSummary) => this.commitChunk(contract, toCommit, report.replacedPartitions, runSummary),
        abort: () => this.db.run("ROLLBACK").then(() => undefined),
      });
    } catch (err) {
      await this.db.run("ROLLBACK");
      throw err;
    }
  }

  /** Inside the chunk's transaction: stage its events, empty the days to replace, export the fresh events. */
  private async stageChunk(
    contract: Contract,
    chunk: StagedChunk,
    freshEventsPath: string,
    opts: { replace: boolean },
  ): Promise<PrepareReport> {
    await this.db.run(`CREATE OR REPLACE TEMP TABLE rox_stage AS SELECT * FROM ${q(contract.table)} LIMIT 0`);
    await this.db.run(`COPY rox_stage FROM ${lit(chunk.events)} (FORMAT json)`);
    const replacedPartitions = opts.replace ? await this.emptyPartitions(contract) : [];
    await this.db.run(
      `CREATE OR REPLACE TEMP TABLE rox_fresh AS SELECT s.* FROM rox_stage s ANTI JOIN ${q(contract.table)} e ON s.${q(contract.idField)} = e.${q(contract.idField)}`,
    );
    await this.db.run(
      `COPY (SELECT ${epochMsSelect(contract)} FROM rox_fresh) TO ${lit(freshEventsPath)} (FORMAT json)`,
    );
    const staged = await this.count("rox_stage");
    const fresh = await this.count("rox_fresh");
    return { staged, fresh, alreadyPresent: staged - fresh, replacedPartitions };
  }

  private async emptyPartitions(contract: Contract): Promise<string[]> {
    const days = (
      await this.query(`SELECT DISTINCT strftime(${q(contract.eventTimeField)}, '%Y-%m-%d') AS day FROM rox_stage`)
    )
      .map((r) => String(r.day))
      .filter((day) => !this.replaced.has(day));
    if (days.length === 0) return [];
    await this.query(
      `DELETE FROM ${q(contract.table)} WHERE list_contains($1, strftime(${q(contract.eventTimeField)}, '%Y-%m-%d'))`,
      [days],
    );
    for (const window of contract.features?.windows ?? []) {
      await this.query(
        `DELETE FROM ${q(windowTableName(contract, window))} WHERE list_contains($1, strftime(window_start, '%Y-%m-%d'))`,
        [days],
      );
    }
    return days;
  }

  /** The prepared chunk's commit; `replacing`: the days it emptied, replaced for good once its transaction commits. */
  private async commitChunk(
    contract: Contract,
    chunk: StagedChunk,
    replacing: string[],
    runSummary?: (report: CommitReport) => JobSummary,
  ): Promise<CommitReport> {
    try {
      const eventsWritten = await this.changed(`INSERT INTO ${q(contract.table)} SELECT * FROM rox_fresh`);
      const deadLettersWritten = await this.appendDeadLetters(chunk.deadLetters);
      const windowRows: Record<string, number> = {};
      for (const window of contract.features?.windows ?? []) {
        windowRows[windowTableName(contract, window)] = await this.mergeWindow(
          contract,
          window,
          chunk.windowPartials[window.name],
        );
      }
      const report: CommitReport = { eventsWritten, deadLettersWritten, windowRows };
      const run = (sql: string) => this.changed(sql);
      if (chunk.predictions) Object.assign(report, await this.commitPredictions(contract, chunk.predictions));
      if (chunk.replayed) report.deadLettersReplayed = await updateReplayedDeadLetters(run, chunk.replayed);
      if (runSummary) await upsertJobRun(this.db, runSummary(report), "running");
      await this.db.run("COMMIT");
      replacing.forEach((day) => this.replaced.add(day));
      return report;
    } catch (err) {
      await this.db.run("ROLLBACK");
      throw err;
    }
  }

  /** A scored micro-batch's predictions and score dead letters, inside the chunk's open transaction. */
  private async commitPredictions(contract: Contract, staged: StagedPredictions): Promise<Partial<CommitReport>> {
    const run = (sql: string, params?: unknown[]) => this.query(sql, params);
    await this.db.run(predictionsTableDdl(contract));
    const { written } = await insertPredictions(run, contract, staged.rows);
    return { predictionsWritten: written, scoreDeadLettersWritten: await this.appendDeadLetters(staged.deadLetters) };
  }

  async exportDeadLetters(selection: DeadLetterSelection, out: string): Promise<DeadLetterExport> {
    await this.ensureDeadLetterTable();
    return exportLiveDeadLetters((sql, params) => this.query(sql, params), selection, out);
  }

  private async ensureDeadLetterTable(): Promise<void> {
    await this.db.run(deadLetterTableDdl(DEAD_LETTER_TABLE));
    for (const ddl of deadLetterColumnsDdl(DEAD_LETTER_TABLE)) await this.db.run(ddl);
  }

  async recordRun(summary: JobSummary, status: RunStatus): Promise<void> {
    await ensureJobRunsTable(this.db);
    await upsertJobRun(this.db, summary, status);
  }

  async markAbandonedRuns(): Promise<string[]> {
    await ensureJobRunsTable(this.db);
    return markAbandoned(this.db);
  }

  /** Dead letters are keyed by where the record came from and why it failed, so a rerun adds none twice. */
  private async appendDeadLetters(file: string): Promise<number> {
    // Staged rows carry raw bytes as base64 text (JSON has no bytes); the table's BLOB gets the bytes themselves.
    await this.db.run(
      `CREATE OR REPLACE TEMP TABLE rox_dead AS SELECT * REPLACE (CAST(NULL AS VARCHAR) AS payloadBytes) FROM ${DEAD_LETTER_TABLE} LIMIT 0`,
    );
    await this.db.run(`COPY rox_dead FROM ${lit(file)} (FORMAT json)`);
    const same = ["sourceUri", "sourceLine", "messageId", "errorClass"]
      .map((c) => `d.${c} IS NOT DISTINCT FROM x.${c}`)
      .join(" AND ");
    const rows = `SELECT d.* REPLACE (from_base64(d.payloadBytes) AS payloadBytes) FROM rox_dead d ANTI JOIN ${DEAD_LETTER_TABLE} x ON ${same}`;
    return this.changed(`INSERT INTO ${DEAD_LETTER_TABLE} ${rows}`);
  }

  /** Upserts the window rows a chunk touched: stored accumulator + the chunk's partial, finished again. */
  private async mergeWindow(
    contract: Contract,
    window: WindowFeatureSpec,
    partialsFile: string | undefined,
  ): Promise<number> {
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
    await this.db.run(
      `INSERT OR REPLACE INTO ${q(table)} BY NAME SELECT * FROM read_json(${lit(file)}, columns = ${await this.columnsOf(table)})`,
    );
    return merged.length;
  }

  private async storedWindowRows(
    table: string,
    window: WindowFeatureSpec,
    partials: Record<string, unknown>[],
  ): Promise<Record<string, unknown>[]> {
    const keys = [...new Set(partials.map((p) => String(p[window.key])))];
    // A loop, not Math.min(...starts): a large chunk has more partials than a call's argument list can hold.
    let first = Infinity;
    let last = -Infinity;
    for (const p of partials) {
      const start = Date.parse(String(p.window_start));
      first = Math.min(first, start);
      last = Math.max(last, start);
    }
    // Values are bound, never written into the SQL: a key may hold any text, a NUL or a quote included.
    const sql = `SELECT *, epoch_ms(window_start) AS start_ms FROM ${q(table)} WHERE epoch_ms(window_start) BETWEEN $1 AND $2 AND list_contains($3, CAST(${q(window.key)} AS VARCHAR))`;
    return this.query(sql, [first, last, keys]);
  }

  /** The table's columns as read_json's `columns` struct; names and types are the catalog's, quoted as literals. */
  private async columnsOf(table: string): Promise<string> {
    const rows = await this.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
      [table],
    );
    return "{" + rows.map((r) => `${lit(String(r.column_name))}: ${lit(String(r.data_type))}`).join(", ") + "}";
  }

  /** Rows of a query; `params` bind `$1`, `$2`, … (arrays as DuckDB lists). */
  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const reader = await this.db.runAndReadAll(sql, await duckDbValues(params));
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

/** "(PID 123)" of DuckDB's lock error, when it names one. */
function lockHolder(message: string): number | undefined {
  const pid = /\(PID (\d+)\)/.exec(message)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/** Parameter values as the client binds them: arrays become DuckDB lists. */
async function duckDbValues(params: unknown[]): Promise<never[]> {
  if (!params.some(Array.isArray)) return params as never[];
  const { listValue } = await import("@duckdb/node-api");
  return params.map((value) => (Array.isArray(value) ? listValue(value) : value)) as never[];
}

function epochMsSelect(contract: Contract): string {
  const stamps = contract.fields
    .filter((f) => f.kind === "timestamp")
    .map((f) => `epoch_ms(${q(f.name)}) AS ${q(f.name)}`);
  return stamps.length ? `* REPLACE (${stamps.join(", ")})` : "*";
}
