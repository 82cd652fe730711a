/**
 * What a Dataflow batch run stages, made without Dataflow: the shared ingest steps on the DirectRunner (the Dataflow
 * graph runs the same DoFns) over the input, their events and dead letters put into the run's staging tables with the
 * final tables' schema, as the Storage Write creates them. Shared by the finalize tests (test/gcp, test/launcher).
 */
import * as fs from "fs";
import * as path from "path";
import { BigQueryJobs, type BigQueryTarget } from "../../io/gcp/bigquery/bigquery-client";
import { stagingFields } from "../../io/gcp/bigquery/bigquery-rows";
import { runStageTables } from "../../io/gcp/bigquery/bigquery-run-stage";
import { col, stagedColumn, tableRef } from "../../io/gcp/bigquery/bigquery-sql";
import { writeLoadFile } from "../../io/gcp/bigquery/bigquery-stage-files";
import { deadLettersSpec, eventsSpec } from "../../io/gcp/bigquery/bigquery-tables";
import { countLines, readJsonLines } from "../../io/files/json-lines";
import { planSplits } from "../../io/files/splits";
import { resolveInputFiles } from "../../pipelines/batch-input";
import { runDirect } from "../../pipelines/direct";
import { ingestPipeline } from "../../pipelines/ingest-pipeline";
import { stagedFileSinks } from "../../pipelines/sinks";
import type { BigQueryField } from "../../schemas/bigquery";
import { loadContract } from "../../schemas/load";

export interface DataflowRun {
  target: BigQueryTarget;
  runId: string;
  /** A local file, folder or glob of JSON lines. */
  input: string;
  /** A fresh folder for the run's files. */
  dir: string;
  nowMs: number;
}

/** Stages the run; returns the in-run duplicates the workers drop (no staging table sees them). */
export async function stageAsDataflowRun(run: DataflowRun): Promise<number> {
  fs.mkdirSync(run.dir, { recursive: true });
  const { files } = await resolveInputFiles(run.input, run.dir);
  const manifest = path.join(run.dir, "manifest.json");
  fs.writeFileSync(
    manifest,
    JSON.stringify(files.flatMap((f) => planSplits(f.path, "jsonl").map((split) => ({ ...split, uri: f.uri })))),
  );
  const file = (name: string) => path.join(run.dir, name);
  const paths = {
    events: file("events.jsonl"),
    deadLetters: file("dead.jsonl"),
    duplicates: file("dups.jsonl"),
    windowPartials: () => file("unused.jsonl"),
  };
  [paths.events, paths.deadLetters, paths.duplicates].forEach((p) => fs.writeFileSync(p, ""));
  const source = { kind: "files" as const, manifest };
  const options = {
    schema: "flights",
    jobName: "rox-flights",
    runId: run.runId,
    nowMs: run.nowMs,
    source,
    maxRecordBytes: 1 << 20,
    windows: [],
  };
  await runDirect(ingestPipeline(options, stagedFileSinks(paths)));
  const jobs = await BigQueryJobs.connect(run.target);
  await jobs.ensureDataset();
  const tables = runStageTables(loadContract("flights").table, run.runId);
  await writeLikeStorageWrite(jobs, tables.events, eventsSpec(loadContract("flights")).fields, paths.events, run.dir);
  await writeLikeStorageWrite(jobs, tables.deadLetters, deadLettersSpec().fields, paths.deadLetters, run.dir);
  return countLines(paths.duplicates);
}

/** The table created with the final table's schema on the first row (none: no table), the rows appended as they are. */
export async function writeLikeStorageWrite(
  jobs: BigQueryJobs,
  table: string,
  fields: BigQueryField[],
  file: string,
  dir: string,
): Promise<void> {
  if (countLines(file) === 0) return;
  await jobs.ensureTable(table, { fields });
  const load = `${table}_load`; // a JSON load stages BYTES as base64 text (bqemulator), decoded by the copy
  await jobs.ensureTable(load, { fields: stagingFields(fields) });
  const loadFile = path.join(dir, `${load}.jsonl`);
  writeLoadFile(readJsonLines(file), fields, loadFile);
  await jobs.load(load, loadFile, stagingFields(fields), `load ${load}`);
  const values = fields.map((f) => stagedColumn("s", f.name, f.type === "BYTES")).join(", ");
  const names = fields.map((f) => col(f.name)).join(", ");
  await jobs.run(
    `INSERT INTO ${tableRef(jobs.target, table)} (${names}) SELECT ${values} FROM ${tableRef(jobs.target, load)} AS s`,
    `fill ${table}`,
  );
  await jobs.dropTable(load);
}
