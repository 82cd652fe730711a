import { optionalNumber, parseFlags, requireFlag } from "../args";
import { UsageError } from "../errors";
import { warehouseFlags, warehouseTarget, withWarehouse } from "../warehouse";
import { reportSummary } from "./batch";
import { renderReplaySummary, type ReplaySummary } from "../../transforms/replay-summary";

export const replayUsage = `rox replay --run <run id> [--reason <errorClass>|<errorStage/errorClass>]
          [--since <YYYY-MM-DD|ISO instant>]
          [--warehouse <file.duckdb>|bigquery [--project P --dataset D [--location L] [--bigquery-endpoint URL]]]
          [--schemas-dir <dir>] [--chunk-mb N] [--max-record-bytes N] [--summary <file.json>]
          (feeds the run's live dead letters through the same job again, after a fix)`;

/** `rox replay`: parse → replay the chosen dead letters of a run → print the summary (it reconciles as a job's). */
export async function replayCommand(argv: string[]): Promise<ReplaySummary> {
  const { values } = parseFlags(argv, {
    run: { type: "string" },
    reason: { type: "string" },
    since: { type: "string" },
    ...warehouseFlags,
    project: { type: "string" },
    "schemas-dir": { type: "string" },
    "chunk-mb": { type: "string" },
    "max-record-bytes": { type: "string" },
    summary: { type: "string" },
  });
  const chunkMb = positive(values["chunk-mb"], "chunk-mb");
  const options = {
    runId: requireFlag(values.run, "run"),
    reason: values.reason === undefined ? undefined : requireFlag(values.reason, "reason"),
    sinceMs: sinceMs(values.since),
    schemasDir: values["schemas-dir"],
    chunkBytes: chunkMb === undefined ? undefined : chunkMb * (1 << 20),
    maxRecordBytes: positive(values["max-record-bytes"], "max-record-bytes", true),
  };
  const target = warehouseTarget(values);
  const { runReplayJob } = await import("../../pipelines/replay-job");
  return withWarehouse(target, async (warehouse) => {
    const summary = await runReplayJob(options, warehouse);
    reportSummary(summary, values.summary, renderReplaySummary);
    return summary;
  });
}

/** A day (`2001-01-02`, its UTC midnight) or an instant with its zone (`2001-01-02T10:00:00Z`). */
function sinceMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const ms = day ? Date.parse(`${value}T00:00:00Z`) : /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(`--since must be a day (YYYY-MM-DD) or an ISO-8601 instant with its zone (got "${value}")`);
  }
  return ms;
}

function positive(value: string | undefined, flag: string, whole = false): number | undefined {
  const n = optionalNumber(value, flag);
  if (n !== undefined && !(n > 0 && (!whole || Number.isSafeInteger(n)))) {
    throw new UsageError(`--${flag} must be a ${whole ? "whole " : ""}number above 0 (got "${value}")`);
  }
  return n;
}
