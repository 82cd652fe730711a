import { createHash } from "crypto";
import { labelValue, resourceSlug } from "./label-rules";
import { trainingDataParameters, type TrainingData } from "./training-data";

/** What a training run is trained on: one table of the warehouse, optionally one day partition of it. */
export interface TrainingSlice {
  table: string;
  /** YYYY-MM-DD (UTC) of the table's partition column; absent for the whole table. */
  partition?: string;
}

/** Where the slice's rows came from, as recorded by the warehouse: each run that wrote rows into it. */
export interface SliceFacts extends TrainingSlice {
  schema: string;
  schemaVersion: number;
  /** `finishedAt` is empty for a run the warehouse has no `job_runs` row of (a Dataflow job writes none). */
  runs: { runId: string; rows: number; finishedAt: string }[];
  /** Where a cloud trainer reads the slice (a BigQuery warehouse); absent for the embedded one. */
  data?: TrainingData;
}

/**
 * The lineage a training run carries (as arguments, labels, pipeline parameters and environment): the slice, its
 * row count, the latest run that landed rows in it, and the schema it was written under.
 */
export interface TrainingLineage extends TrainingSlice {
  rowCount: number;
  runId: string;
  /** How many runs wrote the slice's rows (the latest is `runId`). */
  runCount: number;
  schema: string;
  schemaVersion: number;
  /** Short hash of all of the above: the same data gives the same key, so a repeated trigger reuses its job. */
  trigger: string;
  /** Where a cloud trainer reads the slice (BigQuery); absent when it is exported from the embedded warehouse. */
  data?: TrainingData;
}

/** Written, in a dry run's plan, in place of what is known only once a job has landed the data. */
export const RESOLVED_AFTER_JOB = "<resolved after the job>";

/** What a plan is built from: a lineage read from the warehouse, or one whose row count and trigger wait for a job. */
export type PlannedLineage = Omit<TrainingLineage, "rowCount" | "runCount"> & {
  rowCount: number | typeof RESOLVED_AFTER_JOB;
};

/**
 * Lineage from the warehouse's facts; `undefined` when the slice holds no rows (nothing to train on). `landedBy` names
 * the run the caller knows landed the slice (a Dataflow job, whose rows carry the graph's own id): it is the lineage's
 * run instead of the latest one the warehouse records.
 */
export function lineageOf(facts: SliceFacts, landedBy?: string): TrainingLineage | undefined {
  const rowCount = facts.runs.reduce((sum, run) => sum + run.rows, 0);
  if (rowCount === 0) return undefined;
  const latest = [...facts.runs]
    .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt) || a.runId.localeCompare(b.runId))
    .pop()!;
  const base = {
    table: facts.table,
    ...(facts.partition ? { partition: facts.partition } : {}),
    rowCount,
    runId: landedBy ?? latest.runId,
    runCount: facts.runs.length,
    schema: facts.schema,
    schemaVersion: facts.schemaVersion,
    ...(facts.data ? { data: facts.data } : {}),
  };
  return { ...base, trigger: triggerKey(base) };
}

/** The data's identity; where it lives counts too (the same table in another dataset is other data). */
function triggerKey(l: Omit<TrainingLineage, "trigger">): string {
  const identity = [
    l.table,
    l.partition ?? "",
    l.runId,
    l.rowCount,
    `${l.schema}@${l.schemaVersion}`,
    ...(l.data ? [l.data.uri] : []),
  ].join("|");
  return createHash("sha256").update(identity).digest("hex").slice(0, 12);
}

/** The job's name everywhere (Vertex display name and pipeline job id, Kubeflow run name, local output folder). */
export function trainingJobId(l: PlannedLineage): string {
  // Vertex pipeline job ids must stay under 128 characters of [a-z0-9-].
  return `rox-train-${resourceSlug(l.table).slice(0, 60)}-${l.partition ?? "all"}-${l.trigger}`;
}

/** Command-line arguments for the trainer, the same for the local command and the cloud container. */
export function lineageArgs(l: PlannedLineage): string[] {
  const args = [`--table=${l.table}`];
  if (l.partition) args.push(`--partition=${l.partition}`);
  args.push(
    `--rows=${l.rowCount}`,
    `--run-id=${l.runId}`,
    `--schema=${l.schema}`,
    `--schema-version=${l.schemaVersion}`,
  );
  return args;
}

/** Labels within Google's rules (see label-rules.ts); `rox_trigger` finds an earlier job for the same data. */
export function lineageLabels(l: PlannedLineage): Record<string, string> {
  return {
    rox_table: labelValue(l.table),
    rox_partition: labelValue(l.partition ?? "all"),
    rox_rows: String(l.rowCount),
    rox_run_id: labelValue(l.runId),
    rox_schema: labelValue(l.schema),
    rox_schema_version: String(l.schemaVersion),
    rox_trigger: l.trigger,
  };
}

/** Pipeline parameters (Vertex `parameterValues`, Kubeflow `parameters`), as plain JSON values; then where the data is. */
export function lineageParameters(l: PlannedLineage): Record<string, string | number> {
  const lineage = {
    table: l.table,
    partition: l.partition ?? "",
    rows: l.rowCount,
    run_id: l.runId,
    schema: l.schema,
    schema_version: l.schemaVersion,
  };
  return { ...lineage, ...(l.data ? trainingDataParameters(l.data) : {}) };
}

/** The same lineage as environment variables, for the local trainer. */
export function lineageEnv(l: PlannedLineage): Record<string, string> {
  return {
    ROX_TABLE: l.table,
    ROX_PARTITION: l.partition ?? "",
    ROX_ROWS: String(l.rowCount),
    ROX_RUN_ID: l.runId,
    ROX_SCHEMA: l.schema,
    ROX_SCHEMA_VERSION: String(l.schemaVersion),
    ROX_TRIGGER: l.trigger,
  };
}

export function describeSlice(s: TrainingSlice): string {
  return s.partition ? `${s.table} partition ${s.partition}` : `${s.table} (all partitions)`;
}
