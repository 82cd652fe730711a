/**
 * The staging tables of one BigQuery writer (a warehouse, the predictions' commit): named by a token of this instance,
 * created once with an expiry (a crashed run's tables go by themselves), filled by truncating loads from JSON-lines
 * files in a scratch folder of this process, dropped on close.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { BigQueryField } from "../../../schemas/bigquery";
import { validateTableId } from "../../identifiers/bigquery";
import { makeWorkDir, sweepWorkDirs } from "../../local/work-dirs";
import type { BigQueryJobs } from "./bigquery-client";
import type { StagedTable } from "./bigquery-commit";
import { stagingFields } from "./bigquery-rows";
import { writeLoadFile } from "./bigquery-stage-files";

/** Staging tables outlive a crashed run by at most this long: BigQuery drops them itself. */
export const STAGE_TTL_MS = 24 * 3600_000;

export class BigQueryStaging {
  private readonly stages = new Set<string>();

  private constructor(
    private readonly jobs: BigQueryJobs,
    private readonly scratch: string,
    private readonly token: string,
  ) {}

  /** A fresh scratch folder named `<prefix>…` (the ones dead processes left are removed first). */
  static open(jobs: BigQueryJobs, prefix: string): BigQueryStaging {
    sweepWorkDirs(os.tmpdir(), new RegExp(prefix));
    return new BigQueryStaging(jobs, makeWorkDir(os.tmpdir(), prefix), randomBytes(4).toString("hex"));
  }

  /**
   * This instance's staging table for `target`, created once with an expiration time and its staging schema (created
   * without one, bqemulator keeps a placeholder column that a later load's schema does not replace).
   */
  async tableFor(target: string, fields: BigQueryField[]): Promise<StagedTable> {
    const stage = validateTableId(`_rox_stage_${this.token}_${target}`);
    if (!this.stages.has(stage)) {
      await this.create(stage, fields);
      this.stages.add(stage);
    }
    return { stage, target, fields };
  }

  /** Replaces a staging table's rows with `rows` (converted for a JSON load); returns how many were loaded. */
  async load(table: StagedTable, rows: Iterable<Record<string, unknown>>): Promise<number> {
    return this.loadFile(table, (file) => writeLoadFile(rows, table.fields, file));
  }

  /** `load` of the rows `write` puts in the load file it is given (replacing it); `write` returns how many. */
  async loadFile(table: StagedTable, write: (file: string) => number): Promise<number> {
    const file = path.join(this.scratch, `${table.stage}.jsonl`);
    if (write(file) === 0) {
      // Nothing to load: an empty table, as a truncating load would leave it.
      await this.jobs.dropTable(table.stage);
      await this.create(table.stage, table.fields);
      return 0;
    }
    return this.jobs.load(table.stage, file, stagingFields(table.fields), `load ${table.target} into ${table.stage}`);
  }

  /** Drops this instance's staging tables (they expire anyway) and its scratch folder. */
  async close(): Promise<void> {
    for (const stage of this.stages) await this.jobs.dropTable(stage).catch(() => undefined);
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }

  private create(stage: string, fields: BigQueryField[]): Promise<void> {
    return this.jobs.ensureTable(stage, { fields: stagingFields(fields), expiresAtMs: Date.now() + STAGE_TTL_MS });
  }
}
