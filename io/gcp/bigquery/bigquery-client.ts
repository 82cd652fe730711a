/**
 * The slice of `@google-cloud/bigquery` the warehouse uses, loaded lazily (the local path never loads a Google client).
 * Every statement runs as a job (`jobs.insert`) and its result is read back: bqemulator answers `jobs.query` failures
 * with HTTP 200 and the error in the body, which `bq.query()` ignores, so a failing statement would return [] silently.
 */
import type { BigQuery, Dataset } from "@google-cloud/bigquery";
import type { BigQueryField } from "../../../schemas/bigquery";
import { BigQueryWarehouseError } from "./bigquery-errors";
import type { DatasetRef } from "./bigquery-sql";

export interface BigQueryTarget extends DatasetRef {
  /** Dataset and job location, e.g. "EU" (default: the API's, "US"). */
  location?: string;
  /** An emulator's REST base URL with protocol, e.g. http://127.0.0.1:9050: no credentials are sent. */
  apiEndpoint?: string;
}

export interface TableSpec {
  fields: BigQueryField[];
  timePartitioning?: { type: "DAY"; field: string };
  clustering?: { fields: string[] };
  /** Epoch ms after which BigQuery drops the table (staging tables). */
  expiresAtMs?: number;
}

type Row = Record<string, unknown>;

export class BigQueryJobs {
  private constructor(
    private readonly bq: BigQuery,
    private readonly ds: Dataset,
    readonly target: BigQueryTarget,
  ) {}

  /** With `apiEndpoint`, google-auth-library's PassThroughClient (no credentials); else Application Default Credentials. */
  static async connect(target: BigQueryTarget): Promise<BigQueryJobs> {
    const { BigQuery } = await import("@google-cloud/bigquery");
    const options: ConstructorParameters<typeof BigQuery>[0] = {
      projectId: target.projectId,
      location: target.location,
    };
    if (target.apiEndpoint) {
      const { PassThroughClient } = await import("google-auth-library");
      Object.assign(options, { apiEndpoint: target.apiEndpoint, authClient: new PassThroughClient() });
    }
    const bq = new BigQuery(options);
    return new BigQueryJobs(bq, bq.dataset(target.dataset, { location: target.location }), target);
  }

  /**
   * Runs SQL as a query job and returns its rows (for a script: those of its last statement). With `bareNames`, table
   * names without a dataset resolve in the warehouse's dataset (`defaultDataset`).
   */
  async run(
    sql: string,
    step: string,
    opts: { bareNames?: boolean; params?: Record<string, unknown> } = {},
  ): Promise<Row[]> {
    const defaultDataset = opts.bareNames
      ? { projectId: this.target.projectId, datasetId: this.target.dataset }
      : undefined;
    const params = opts.params && Object.keys(opts.params).length > 0 ? { params: opts.params } : {};
    return attempt(step, async () => {
      const [job] = await this.bq.createQueryJob({
        query: sql,
        ...(defaultDataset ? { defaultDataset } : {}),
        ...params,
      });
      const [rows] = await job.getQueryResults();
      return rows as Row[];
    });
  }

  /** The rows of a query page by page (a large result never sits in memory whole); failures as `BigQueryWarehouseError`. */
  async *eachRow(sql: string, step: string, opts: { pageRows?: number; params?: Record<string, unknown> } = {}) {
    const { pageRows = 10_000, params } = opts;
    const query = { query: sql, ...(params ? { params } : {}) };
    const job = await attempt(step, async () => (await this.bq.createQueryJob(query))[0]);
    const rows = job.getQueryResultsStream({ maxResults: pageRows });
    try {
      for await (const row of rows) yield row as Row;
    } catch (err) {
      throw new BigQueryWarehouseError(step, (err as Error).message ?? String(err), { cause: err });
    }
  }

  async tableExists(name: string): Promise<boolean> {
    return attempt(`look up table ${name}`, async () => (await this.ds.table(name).exists())[0]);
  }

  /** Replaces a table's rows with a JSON-lines file (a load job, multipart upload); returns the rows loaded. */
  async load(table: string, file: string, fields: BigQueryField[], step: string): Promise<number> {
    return attempt(step, async () => {
      const [job] = await this.ds
        .table(table)
        .load(file, { sourceFormat: "NEWLINE_DELIMITED_JSON", writeDisposition: "WRITE_TRUNCATE", schema: { fields } });
      return Number(job.statistics?.load?.outputRows ?? 0);
    });
  }

  async datasetExists(): Promise<boolean> {
    return attempt(`look up dataset ${this.target.dataset}`, async () => (await this.ds.exists())[0]);
  }

  async ensureDataset(): Promise<void> {
    await attempt(`create dataset ${this.target.dataset}`, async () => {
      const [exists] = await this.ds.exists();
      if (!exists) await this.ds.create({ location: this.target.location }).catch(ignoreAlreadyExists);
    });
  }

  /** Creates the table (`tables.insert`: DDL would lose partitioning and clustering), or adds the fields it lacks. */
  async ensureTable(name: string, spec: TableSpec): Promise<void> {
    await attempt(`create table ${name}`, async () => {
      const table = this.ds.table(name);
      const [exists] = await table.exists();
      if (!exists) return void (await table.create(tableMetadata(spec)).catch(ignoreAlreadyExists));
      const [metadata] = await table.getMetadata();
      const present = new Set<string>((metadata.schema?.fields ?? []).map((f: { name: string }) => f.name));
      const missing = spec.fields.filter((f) => !present.has(f.name));
      if (missing.length > 0) await table.setMetadata({ schema: { fields: [...metadata.schema.fields, ...missing] } });
    });
  }

  async dropTable(name: string): Promise<void> {
    await attempt(`drop table ${name}`, async () => {
      await this.ds.table(name).delete({ ignoreNotFound: true });
    });
  }
}

function tableMetadata(spec: TableSpec): Record<string, unknown> {
  const metadata: Record<string, unknown> = { schema: { fields: spec.fields } };
  if (spec.timePartitioning) metadata.timePartitioning = spec.timePartitioning;
  if (spec.clustering) metadata.clustering = spec.clustering;
  if (spec.expiresAtMs !== undefined) metadata.expirationTime = String(spec.expiresAtMs);
  return metadata;
}

/** Two runs may create the same table at once: the loser's 409 means the table is there. */
function ignoreAlreadyExists(err: unknown): void {
  if ((err as { code?: number }).code !== 409) throw err;
}

async function attempt<T>(step: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new BigQueryWarehouseError(step, (err as Error).message ?? String(err), { cause: err });
  }
}
