import { predictionsTableDdl, deadLetterTableDdl } from "../../schemas/duckdb";
import { DEAD_LETTER_TABLE, predictionsTableName } from "../../schemas/tables";
import type { Contract } from "../../schemas/contract";
import type { Warehouse } from "../ports";
import type { PredictionCommit, PredictionCommitReport, PredictionWarehouse } from "../predictions";
import { lit, q } from "./duckdb-sql";

/** Scoring's side of the embedded warehouse, in SQL on the open DuckDB warehouse (one connection, one transaction). */
export class DuckDbPredictions implements PredictionWarehouse {
  constructor(private readonly warehouse: BindingWarehouse) {}

  async exportRows(sql: string, file: string): Promise<number> {
    const [row] = await this.warehouse.query(`COPY (${sql}) TO ${lit(file)} (FORMAT json)`);
    return Number(Object.values(row ?? {})[0] ?? 0);
  }

  async commitPredictions(c: PredictionCommit): Promise<PredictionCommitReport> {
    const table = q(predictionsTableName(c.contract));
    const run = (sql: string, params?: unknown[]) => this.warehouse.query(sql, params);
    await run(predictionsTableDdl(c.contract));
    await run(deadLetterTableDdl(DEAD_LETTER_TABLE));
    // Values are bound ($1 model, $2 version, $3 day), never spliced into the statement's text.
    const ofVersion = "model = $1 AND model_version = $2";
    await run("BEGIN TRANSACTION");
    try {
      const replaced = c.replace
        ? await changed(run, `DELETE FROM ${table} WHERE ${ofVersion} AND strftime(event_time, '%Y-%m-%d') = $3`, [
            c.model,
            c.modelVersion,
            c.partition,
          ])
        : 0;
      const { staged, written } = await insertPredictions(run, c.contract, c.predictions);
      const deadLettersWritten = await appendDeadLetters(run, c.deadLetters);
      const report = { written, alreadyPresent: staged - written, deadLettersWritten, replaced };
      await this.warehouse.recordRun(c.summary(report), "finished");
      await run("COMMIT");
      return report;
    } catch (err) {
      await run("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }
}

/**
 * Staged prediction rows (JSON lines) → `<table>_predictions`, only those this model version has not made for their
 * event; inside the caller's transaction. The batch scoring job and the streaming job's micro-batches both land here.
 */
export async function insertPredictions(
  run: Run,
  contract: Contract,
  file: string,
): Promise<{ staged: number; written: number }> {
  const table = q(predictionsTableName(contract));
  await run(`CREATE OR REPLACE TEMP TABLE rox_scored AS SELECT * FROM ${table} LIMIT 0`);
  await run(`INSERT INTO rox_scored SELECT * FROM read_json(${lit(file)}, columns = ${PREDICTION_COLUMNS})`);
  const staged = await count(run, "rox_scored");
  const same = "p.event_id = s.event_id AND p.model = s.model AND p.model_version = s.model_version";
  const written = await changed(
    run,
    `INSERT INTO ${table} SELECT s.* FROM rox_scored s ANTI JOIN ${table} p ON ${same}`,
  );
  return { staged, written };
}

const PREDICTION_COLUMNS = `{event_id: 'VARCHAR', event_time: 'TIMESTAMPTZ', prediction: 'DOUBLE', model: 'VARCHAR', model_version: 'BIGINT', score_run_id: 'VARCHAR', scored_at: 'TIMESTAMPTZ'}`;

/** The embedded warehouse's side this needs: queries with bound parameters, and the run record. */
type BindingWarehouse = Pick<Warehouse, "recordRun"> & {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
};

export type Run = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

async function changed(run: Run, sql: string, params?: unknown[]): Promise<number> {
  const [row] = await run(sql, params);
  return Number(Object.values(row ?? {})[0] ?? 0);
}

async function count(run: Run, table: string): Promise<number> {
  const [row] = await run(`SELECT count(*) AS n FROM ${table}`);
  return Number(row.n);
}

/** As the ingest jobs do: keyed by source, message id (here the model version) and reason, so a rerun adds none. */
async function appendDeadLetters(run: Run, file: string): Promise<number> {
  await run(
    `CREATE OR REPLACE TEMP TABLE rox_score_dead AS SELECT * REPLACE (CAST(NULL AS VARCHAR) AS payloadBytes) FROM ${DEAD_LETTER_TABLE} LIMIT 0`,
  );
  await run(`COPY rox_score_dead FROM ${lit(file)} (FORMAT json)`);
  const same = ["sourceUri", "sourceLine", "messageId", "errorClass"]
    .map((c) => `d.${c} IS NOT DISTINCT FROM x.${c}`)
    .join(" AND ");
  return changed(
    run,
    `INSERT INTO ${DEAD_LETTER_TABLE} SELECT d.* REPLACE (from_base64(d.payloadBytes) AS payloadBytes) FROM rox_score_dead d ANTI JOIN ${DEAD_LETTER_TABLE} x ON ${same}`,
  );
}
