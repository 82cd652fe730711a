import * as fs from "fs";
import * as path from "path";
import { oneOf, optionalNumber, parseFlags, requireFlag } from "../args";
import { ReconciliationError } from "../errors";
import { FILE_FORMATS } from "../../io/files/file-format";
import { TRAIN_TARGETS } from "../train/settings";
import {
  onlyForPortable,
  portableRunner,
  runnerFlags,
  runnerUsage,
  runOnFlink,
  submitToDataflow,
} from "./runner-flags";
import { warehouseFlags, warehouseTarget, withWarehouse } from "../warehouse";
import { renderSummary, unaccounted, type JobSummary } from "../../transforms/summary";
import { setLogLabels } from "../logging/json-logging";

export const batchUsage = `rox batch --input <file|folder|glob|gs://bucket/prefix/glob> --schema <name> [--format jsonl|csv|avro|parquet]
          [--warehouse <file.duckdb> [--duckdb-memory 512MB]|bigquery [--project P --dataset D [--location L] [--bigquery-endpoint URL]]]
          [--storage-endpoint URL] [--summary <file.json>] [--replace] [--schemas-dir <dir>] [--chunk-mb N]
          [--max-record-bytes N] [--csv-quoted-newlines]
          [--then-train [--train-target local|vertex-custom-job|vertex-pipeline|kubeflow] [--train-partition YYYY-MM-DD] [--config f]]
          ${runnerUsage}`;

/** `rox batch`: parse → run the batch job (local files or Cloud Storage) into DuckDB or BigQuery → print the summary. */
export async function batchCommand(argv: string[]): Promise<JobSummary | undefined> {
  const { values } = parseFlags(argv, {
    input: { type: "string" },
    schema: { type: "string" },
    format: { type: "string" },
    ...warehouseFlags,
    project: { type: "string" },
    "storage-endpoint": { type: "string" },
    summary: { type: "string" },
    replace: { type: "boolean" },
    "schemas-dir": { type: "string" },
    "chunk-mb": { type: "string" },
    "max-record-bytes": { type: "string" },
    "csv-quoted-newlines": { type: "boolean" },
    "then-train": { type: "boolean" },
    "train-target": { type: "string" },
    "train-partition": { type: "string" },
    config: { type: "string" },
    ...runnerFlags,
  });
  const runner = portableRunner(values);
  if (runner === "dataflow") {
    const own = {
      input: requireFlag(values.input, "input"),
      schema: requireFlag(values.schema, "schema"),
      format: values.format,
      location: values.location,
      replace: values.replace ? "true" : undefined,
    };
    return void (await submitToDataflow("batch", onlyForPortable(values), own));
  }
  if (runner === "flink") {
    const parameters = {
      input: requireFlag(values.input, "input"),
      schema: requireFlag(values.schema, "schema"),
      ...(values.format ? { format: values.format } : {}),
      ...(values["schemas-dir"] ? { schemasDir: values["schemas-dir"] } : {}),
    };
    const summary = await runOnFlink("batch", onlyForPortable(values), parameters, { replace: values.replace });
    reportSummary(summary, values.summary);
    return summary;
  }
  const chunkMb = optionalNumber(values["chunk-mb"], "chunk-mb");
  const target = warehouseTarget(values);
  const { runBatchJob } = await import("../../pipelines/batch-job");
  return withWarehouse(target, async (warehouse) => {
    const summary = await runBatchJob(
      {
        input: requireFlag(values.input, "input"),
        schema: requireFlag(values.schema, "schema"),
        schemasDir: values["schemas-dir"],
        format: oneOf(values.format, "format", FILE_FORMATS),
        replace: values.replace ?? false,
        chunkBytes: chunkMb === undefined ? undefined : Math.ceil(chunkMb * (1 << 20)),
        maxRecordBytes: optionalNumber(values["max-record-bytes"], "max-record-bytes"),
        csvQuotedNewlines: values["csv-quoted-newlines"] ?? false,
        storage: { projectId: values.project, apiEndpoint: values["storage-endpoint"] },
        onProgress: printProgress,
      },
      warehouse,
    );
    reportSummary(summary, values.summary);
    if (values["then-train"]) {
      const { trainAfterBatch } = await import("./train");
      const trainTarget = oneOf(values["train-target"], "train-target", TRAIN_TARGETS);
      const where = {
        warehouse: values.warehouse,
        project: values.project,
        dataset: values.dataset,
        location: values.location,
        bigqueryEndpoint: values["bigquery-endpoint"],
      };
      await trainAfterBatch(
        summary,
        {
          target: trainTarget,
          partition: values["train-partition"],
          config: values.config,
          schemasDir: values["schemas-dir"],
          ...where,
        },
        warehouse,
      );
    }
    return summary;
  });
}

export function printProgress(p: { read: number; elapsedMs: number; chunk: number; chunks: number }): void {
  const rate = p.elapsedMs > 0 ? Math.round((p.read * 1000) / p.elapsedMs) : 0;
  const line = `chunk ${p.chunk}/${p.chunks}  ${p.read.toLocaleString("en-US")} records  ${rate.toLocaleString("en-US")} records/s  ${(p.elapsedMs / 1000).toFixed(1)} s elapsed`;
  // On a terminal the line is rewritten in place; in a log every update is its own line.
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
}

/** Ends the progress line, prints the summary table, writes its JSON, and fails when the counts do not reconcile. */
export function reportSummary<S extends JobSummary>(
  summary: S,
  summaryPath: string | undefined,
  render: (summary: S) => string = renderSummary,
): void {
  if (process.stderr.isTTY) process.stderr.write("\n");
  setLogLabels({ job: summary.job, run_id: summary.runId });
  console.log(render(summary));
  if (summaryPath) {
    fs.mkdirSync(path.dirname(path.resolve(summaryPath)), { recursive: true });
    fs.writeFileSync(summaryPath, JSON.stringify(summary, null, 2) + "\n");
  }
  const missing = unaccounted(summary);
  if (missing !== 0)
    throw new ReconciliationError(
      `${missing} records unaccounted for: read ${summary.read} != written + dead-lettered + duplicates`,
    );
  if (summary.uncounted)
    throw new ReconciliationError(
      `counts cannot reconcile: ${summary.uncounted} dead letters stand for records that cannot be counted (see dead_letters, errorClass unreadable_file or corrupt_avro_block with no records count)`,
    );
}
