/** What `rox report` shows, as the warehouse holds it: plain rows, one list per chart. */
export interface ReportData {
  /** When the warehouse was read (ISO). */
  generatedAt: string;
  runs: {
    runId: string;
    job: string;
    startedAt: string;
    status: string;
    read: number;
    written: number;
    deadLettered: number;
    duplicates: number;
  }[];
  deadLetters: { reason: string; records: number }[];
  drift: {
    day: string;
    model: string;
    version: number;
    feature: string;
    metric: string;
    value: number;
    threshold: number;
    alert: boolean;
  }[];
  /** Per model version and day: the mean prediction and the mean actual value of the events it scored. */
  predictions: { day: string; model: string; version: number; rows: number; predicted: number; actual: number }[];
}

type Row = Record<string, unknown>;

/** The rows of the warehouse's four report queries, as either warehouse's client returns them. */
export interface ReportRows {
  runs: readonly Row[];
  deadLetters: readonly Row[];
  drift: readonly Row[];
  predictions: readonly Row[];
}

/** The report's data from the query rows (numbers as the clients render them: numbers, or text for big integers). */
export function reportData(rows: ReportRows, generatedAt: string): ReportData {
  return {
    generatedAt,
    runs: rows.runs.map((r) => ({
      runId: String(r.runId),
      job: String(r.job),
      startedAt: String(r.startedAt),
      status: String(r.status ?? ""),
      read: Number(r.read),
      written: Number(r.written),
      deadLettered: Number(r.deadLettered),
      duplicates: Number(r.duplicates),
    })),
    deadLetters: rows.deadLetters.map((r) => ({ reason: String(r.reason), records: Number(r.records) })),
    drift: rows.drift.map((r) => ({
      day: String(r.day),
      model: String(r.model),
      version: Number(r.version),
      feature: String(r.feature),
      metric: String(r.metric),
      value: Number(r.value),
      threshold: Number(r.threshold),
      alert: Boolean(r.alert),
    })),
    predictions: rows.predictions.map((r) => ({
      day: String(r.day),
      model: String(r.model),
      version: Number(r.version),
      rows: Number(r.rows),
      predicted: Number(r.predicted),
      actual: Number(r.actual),
    })),
  };
}
