import type { Contract } from "../schemas/contract";
import type { JobSummary } from "../transforms/summary";

/** What one scoring run staged: its prediction rows and dead letters as JSON-lines files. */
export interface PredictionCommit {
  contract: Contract;
  predictions: string;
  deadLetters: string;
  model: string;
  modelVersion: number;
  /** The day (YYYY-MM-DD, UTC) the run scored: `replace` empties it for this model version first. */
  partition: string;
  replace: boolean;
  /** The run's summary from what was committed, recorded in `job_runs` in the same transaction. */
  summary: (report: PredictionCommitReport) => JobSummary;
}

export interface PredictionCommitReport {
  /** Prediction rows new to the table. */
  written: number;
  /** Events this model version had already scored: counted, not written again. */
  alreadyPresent: number;
  deadLettersWritten: number;
  /** Rows of this version removed from the day by `replace`. */
  replaced: number;
}

/**
 * The warehouse's side of scoring (DuckDB here, BigQuery in io/gcp): stage the feature rows of a query for the
 * pipeline, then commit what it scored in one transaction — idempotent per (partition, model version).
 */
export interface PredictionWarehouse {
  /** Writes the rows of `sql` to `file` as JSON lines; returns how many. */
  exportRows(sql: string, file: string): Promise<number>;
  commitPredictions(commit: PredictionCommit): Promise<PredictionCommitReport>;
}
