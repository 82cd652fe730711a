/**
 * The statements of one chunk's commit (pure). They run as ONE transaction job, so a failure anywhere leaves nothing
 * half-written. Replaced days are emptied here, not in prepare: there is no transaction to hold open between two jobs,
 * and partition decorators do not work on bqemulator, so `replace` is DELETE + INSERT by date inside the same job.
 */
import type { BigQueryField } from "../../../schemas/bigquery";
import {
  col,
  expectCount,
  onDays,
  stagedColumn,
  tableRef,
  transaction,
  type DatasetRef,
  type ReplaceDays,
} from "./bigquery-sql";
import { JOB_RUNS_SPEC, JOB_RUNS_STAGE_FIELDS } from "./bigquery-tables";
import { updateReplayedStatements } from "./bigquery-replay";

/** A staging table and the target table it feeds, with the target's fields. */
export interface StagedTable {
  stage: string;
  target: string;
  fields: BigQueryField[];
  /** BYTES columns hold bytes (a table a Dataflow job wrote), not the base64 text a JSON load stages them as. */
  nativeBytes?: boolean;
}

export interface CommitPlan {
  ref: DatasetRef;
  events: StagedTable & { idField: string; eventTimeField: string; fresh: number };
  /** Absent when the chunk has no dead letters. */
  deadLetters?: StagedTable & { fresh: number };
  /** Window tables with merged rows to upsert, keyed by (key, window_start). */
  windows: (StagedTable & { key: string })[];
  /** Every window table, whether or not this chunk touches it (replaced days are emptied in all of them). */
  windowTables: string[];
  /** UTC days to empty before the chunk's rows go in (staged in a table), when the chunk replaces any. */
  replace?: ReplaceDays;
  /** A replay chunk: the stored dead letters it replayed, staged as `SettledDeadLetter` rows, updated in place. */
  replayed?: { table: string; stage: string; rows: number };
  /** The run's row, staged in `stage` (see `mergeJobRun`). */
  summary?: { table: string; stage: string };
}

export function commitScript(plan: CommitPlan): string {
  return transaction([
    ...emptyDays(plan),
    ...appendEvents(plan.ref, plan.events),
    ...(plan.deadLetters ? appendDeadLetters(plan.ref, plan.deadLetters) : []),
    ...plan.windows.map((w) => upsertWindowRows(plan.ref, w)),
    ...(plan.replayed ? updateReplayedStatements(plan.ref, plan.replayed.table, plan.replayed) : []),
    ...(plan.summary ? [mergeJobRun(plan.ref, plan.summary.table, plan.summary.stage)] : []),
  ]);
}

function emptyDays({ ref, events, windowTables, replace }: CommitPlan): string[] {
  if (!replace) return [];
  const eventDays = `DELETE FROM ${tableRef(ref, events.target)} WHERE ${onDays(events.eventTimeField, replace)}`;
  return [
    eventDays,
    ...windowTables.map((t) => `DELETE FROM ${tableRef(ref, t)} WHERE ${onDays("window_start", replace)}`),
  ];
}

/**
 * The staged events whose id the table does not hold yet (the same test prepare counted them with). Before the
 * commit's DELETE, `replace` names the days it will empty: rows there do not count as held.
 */
export function freshEventsFrom(
  ref: DatasetRef,
  events: StagedTable & { idField: string; eventTimeField: string },
  replace?: ReplaceDays,
): string {
  const id = col(events.idField);
  const kept = replace ? ` AND NOT ${onDays(events.eventTimeField, replace, "e")}` : "";
  return `FROM ${tableRef(ref, events.stage)} AS s WHERE NOT EXISTS (SELECT 1 FROM ${tableRef(ref, events.target)} AS e WHERE e.${id} = s.${id}${kept})`;
}

function appendEvents(ref: DatasetRef, events: CommitPlan["events"]): string[] {
  const fresh = freshEventsFrom(ref, events);
  return [expectCount(`SELECT COUNT(*) ${fresh}`, events.fresh, "fresh events"), copyRows(ref, events, fresh)];
}

/** Dead letters are keyed by where the record came from and why it failed, so a rerun adds none twice. */
export function newDeadLettersFrom(ref: DatasetRef, dead: StagedTable): string {
  const same = ["sourceUri", "sourceLine", "messageId", "errorClass"]
    .map((c) => `x.${col(c)} IS NOT DISTINCT FROM d.${col(c)}`)
    .join(" AND ");
  return `FROM ${tableRef(ref, dead.stage)} AS d WHERE NOT EXISTS (SELECT 1 FROM ${tableRef(ref, dead.target)} AS x WHERE ${same})`;
}

function appendDeadLetters(ref: DatasetRef, dead: StagedTable & { fresh: number }): string[] {
  const fresh = newDeadLettersFrom(ref, dead);
  return [expectCount(`SELECT COUNT(*) ${fresh}`, dead.fresh, "new dead letters"), copyRows(ref, dead, fresh, "d")];
}

function copyRows(ref: DatasetRef, table: StagedTable, from: string, alias = "s"): string {
  const names = table.fields.map((f) => col(f.name)).join(", ");
  const values = table.fields
    .map((f) => stagedColumn(alias, f.name, f.type === "BYTES" && !table.nativeBytes))
    .join(", ");
  return `INSERT INTO ${tableRef(ref, table.target)} (${names}) SELECT ${values} ${from}`;
}

/** Merged rows carry complete accumulators, so a matched row is overwritten, never added to. */
function upsertWindowRows(ref: DatasetRef, window: StagedTable & { key: string }): string {
  const names = window.fields.map((f) => f.name);
  const keys = [window.key, "window_start"];
  const on = keys.map((k) => `T.${col(k)} = S.${col(k)}`).join(" AND ");
  const set = names
    .filter((n) => !keys.includes(n))
    .map((n) => `${col(n)} = S.${col(n)}`)
    .join(", ");
  const insert = `INSERT (${names.map(col).join(", ")}) VALUES (${names.map((n) => `S.${col(n)}`).join(", ")})`;
  return `MERGE ${tableRef(ref, window.target)} AS T USING ${tableRef(ref, window.stage)} AS S ON ${on} WHEN MATCHED THEN UPDATE SET ${set} WHEN NOT MATCHED THEN ${insert}`;
}

/**
 * The run's row, loaded into a staging table (values never go into the SQL text, and bqemulator binds no parameters in a
 * script), upserted into `job_runs`; its JSON columns are staged as text and parsed here.
 */
export function mergeJobRun(ref: DatasetRef, table: string, stage: string): string {
  const names = JOB_RUNS_STAGE_FIELDS.map((f) => f.name);
  const value = (f: BigQueryField) =>
    JOB_RUNS_SPEC.fields.find((t) => t.name === f.name)?.type === "JSON"
      ? `PARSE_JSON(S.${col(f.name)})`
      : `S.${col(f.name)}`;
  const set = JOB_RUNS_STAGE_FIELDS.filter((f) => f.name !== "runId")
    .map((f) => `${col(f.name)} = ${value(f)}`)
    .join(", ");
  const insert = `INSERT (${names.map(col).join(", ")}) VALUES (${JOB_RUNS_STAGE_FIELDS.map(value).join(", ")})`;
  return `MERGE ${tableRef(ref, table)} AS T USING ${tableRef(ref, stage)} AS S ON T.${col("runId")} = S.${col("runId")} WHEN MATCHED THEN UPDATE SET ${set} WHEN NOT MATCHED THEN ${insert}`;
}
