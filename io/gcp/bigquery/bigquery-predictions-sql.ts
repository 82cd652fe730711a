/**
 * The statements of one scoring run's commit to BigQuery (pure). Its values (model, version, day) are loaded into a
 * one-row scope table and read from there: bqemulator binds no query parameters inside a script, and no value is ever
 * spliced into SQL text. Whole numbers the run counted itself are the only literals (`expectCount`).
 */
import type { BigQueryField } from "../../../schemas/bigquery";
import { mergeJobRun, newDeadLettersFrom, type StagedTable } from "./bigquery-commit";
import { col, expectCount, stagedColumn, tableRef, transaction, type DatasetRef } from "./bigquery-sql";

/** The scope table's one row: which model version and day a run scored. */
export const SCOPE_FIELDS: BigQueryField[] = [
  { name: "model", type: "STRING", mode: "REQUIRED" },
  { name: "model_version", type: "INT64", mode: "REQUIRED" },
  { name: "day", type: "DATE", mode: "REQUIRED" },
];

export interface PredictionCommitPlan {
  ref: DatasetRef;
  /** Staged predictions, to go into `<table>_predictions`. */
  predictions: StagedTable;
  /** The staging table holding the run's scope row. */
  scope: string;
  /** With `replace`: the rows of this version on the day, counted before, deleted first. */
  replaced?: number;
  fresh: number;
  deadLetters?: StagedTable & { fresh: number };
  /** The run's `job_runs` row, staged (see `mergeJobRun`). */
  summary: { table: string; stage: string };
}

/** Rows of the scope's model version on the scope's day (columns of `alias`, or bare without one). */
export function ofScopeDay(ref: DatasetRef, scope: string, alias?: string): string {
  const from = (c: string) => `(SELECT ${col(c)} FROM ${tableRef(ref, scope)})`;
  const own = (c: string) => (alias ? `${alias}.${col(c)}` : col(c));
  return [
    `${own("model")} IN ${from("model")}`,
    `${own("model_version")} IN ${from("model_version")}`,
    `DATE(${own("event_time")}) IN ${from("day")}`,
  ].join(" AND ");
}

export function replacedCountSql(ref: DatasetRef, table: string, scope: string): string {
  return `SELECT COUNT(*) AS n FROM ${tableRef(ref, table)} WHERE ${ofScopeDay(ref, scope)}`;
}

/**
 * The staged predictions whose (event, model, version) the table does not hold yet. With `replace`, the scope's rows
 * do not count as held: the commit deletes them first.
 */
export function freshPredictionsFrom(ref: DatasetRef, predictions: StagedTable, scope?: string): string {
  const same = ["event_id", "model", "model_version"].map((c) => `p.${col(c)} = s.${col(c)}`).join(" AND ");
  const kept = scope ? ` AND NOT (${ofScopeDay(ref, scope, "p")})` : "";
  const held = `SELECT 1 FROM ${tableRef(ref, predictions.target)} AS p WHERE ${same}${kept}`;
  return `FROM ${tableRef(ref, predictions.stage)} AS s WHERE NOT EXISTS (${held})`;
}

export function predictionCommitScript(plan: PredictionCommitPlan): string {
  const { ref, predictions, scope } = plan;
  const target = tableRef(ref, predictions.target);
  const replace =
    plan.replaced === undefined
      ? []
      : [
          expectCount(replacedCountSql(ref, predictions.target, scope), plan.replaced, "rows to replace"),
          `DELETE FROM ${target} WHERE ${ofScopeDay(ref, scope)}`,
        ];
  const fresh = freshPredictionsFrom(ref, predictions);
  const dead = plan.deadLetters;
  const deadFresh = dead && newDeadLettersFrom(ref, dead);
  return transaction([
    ...replace,
    expectCount(`SELECT COUNT(*) ${fresh}`, plan.fresh, "new predictions"),
    copy(ref, predictions, fresh, "s"),
    ...(dead && deadFresh
      ? [expectCount(`SELECT COUNT(*) ${deadFresh}`, dead.fresh, "new dead letters"), copy(ref, dead, deadFresh, "d")]
      : []),
    mergeJobRun(ref, plan.summary.table, plan.summary.stage),
  ]);
}

/** Staged dead letters hold their payload bytes as base64 text (a JSON load), decoded as they are copied. */
function copy(ref: DatasetRef, table: StagedTable, from: string, alias: string): string {
  const names = table.fields.map((f) => col(f.name)).join(", ");
  const values = table.fields.map((f) => stagedColumn(alias, f.name, f.type === "BYTES")).join(", ");
  return `INSERT INTO ${tableRef(ref, table.target)} (${names}) SELECT ${values} ${from}`;
}
