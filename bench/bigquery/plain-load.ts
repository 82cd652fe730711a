import * as fs from "fs";
import * as path from "path";
import type { Contract } from "../../schemas/contract";
import { readJsonLines } from "../../io/files/json-lines";
import { BigQueryJobs } from "../../io/gcp/bigquery/bigquery-client";
import { writeLoadFile } from "../../io/gcp/bigquery/bigquery-stage-files";
import { eventsSpec } from "../../io/gcp/bigquery/bigquery-tables";
import { secondsSince } from "./timed-warehouse";

export interface PlainLoadResult {
  rows: number;
  inserted: number;
  loadSeconds: number;
  insertSeconds: number;
  /** Not part of the baseline: turning the staged rows into a load file in JS, as the warehouse does per chunk. */
  convertSeconds: number;
}

export interface PlainLoadTarget {
  projectId: string;
  apiEndpoint: string;
  /** A dataset of its own (created here), so nothing of the job's tables is reused. */
  dataset: string;
}

/**
 * The baseline: what the emulator itself takes for the same rows, with no job around it. The staged events of every
 * chunk (the rows the job loaded) become one NDJSON file (not timed), then, timed apart: one load job into a fresh
 * table, and one `INSERT … SELECT … WHERE NOT EXISTS` from it into an empty table shaped like the job's events table
 * (partitioned, clustered) — the statement at the core of the job's commit.
 */
export async function plainLoad(
  target: PlainLoadTarget,
  contract: Contract,
  stagedDir: string,
  workDir: string,
): Promise<PlainLoadResult> {
  const spec = eventsSpec(contract);
  const file = path.join(workDir, "plain-load.jsonl");
  const staged = fs
    .readdirSync(stagedDir)
    .sort()
    .map((name) => path.join(stagedDir, name));
  let started = process.hrtime.bigint();
  writeLoadFile(concat(staged.map((f) => readJsonLines(f))), spec.fields, file);
  const convertSeconds = secondsSince(started);

  // BigQueryJobs is the adapters' pass-through to @google-cloud/bigquery (`table.load`, `createQueryJob`): the bench
  // itself imports no Google client, and no warehouse logic sits in between.
  const jobs = await BigQueryJobs.connect({
    projectId: target.projectId,
    dataset: target.dataset,
    apiEndpoint: target.apiEndpoint,
  });
  await jobs.ensureDataset();
  await jobs.ensureTable("events", spec);

  started = process.hrtime.bigint();
  const rows = await jobs.load("events_load", file, spec.fields, "plain load");
  const loadSeconds = secondsSince(started);

  const ref = (table: string) => `\`${target.projectId}.${target.dataset}.${table}\``;
  const columns = spec.fields.map((f) => `\`${f.name}\``).join(", ");
  const id = `\`${contract.idField}\``;
  const sql = `INSERT INTO ${ref("events")} (${columns}) SELECT ${columns} FROM ${ref("events_load")} AS s WHERE NOT EXISTS (SELECT 1 FROM ${ref("events")} AS e WHERE e.${id} = s.${id})`;
  started = process.hrtime.bigint();
  await jobs.run(sql, "plain insert");
  const insertSeconds = secondsSince(started);

  const [count] = await jobs.run(`SELECT COUNT(*) AS n FROM ${ref("events")}`, "count the inserted rows");
  return { rows, inserted: Number(count.n), loadSeconds, insertSeconds, convertSeconds };
}

function* concat<T>(parts: Iterable<T>[]): Generator<T> {
  for (const part of parts) yield* part;
}
