import { renderSummary, type JobSummary } from "./summary";

/** A replay's summary: a job summary (it reconciles over the records it fed) plus what it could not feed. */
export interface ReplaySummary extends JobSummary {
  /** The run whose dead letters were replayed. */
  replayOf: string;
  /** Stored dead-letter rows the replay updated: settled (written or duplicate), or failed again with a new reason. */
  deadLettersUpdated: number;
  /** Selected dead letters that cannot be replayed (only a preview, or a row for many records), by reason. */
  notReplayable: Record<string, number>;
}

export function renderReplaySummary(s: ReplaySummary): string {
  const total = Object.values(s.notReplayable).reduce((sum, n) => sum + n, 0);
  const rows: [string, string][] = [
    ["replay of", s.replayOf],
    ["dead letters updated", s.deadLettersUpdated.toLocaleString("en-US")],
    ["not replayable", `${total.toLocaleString("en-US")}${total > 0 ? " (left as dead letters)" : ""}`],
    ...Object.keys(s.notReplayable)
      .sort()
      .map((reason): [string, string] => [`  reason ${reason}`, s.notReplayable[reason].toLocaleString("en-US")]),
  ];
  return renderSummary(s, rows);
}
