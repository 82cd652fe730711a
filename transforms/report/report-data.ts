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
