/**
 * One line of output as a Cloud Logging structured entry (what the logging agent of Cloud Run, GKE or a Vertex AI
 * job parses from a JSON line): `severity`, `message`, `time`, `logging.googleapis.com/labels`. A line that already is
 * such an entry (rox monitor's alerts) keeps its severity and fields and gains the labels.
 */
import { redactSecrets } from "./redact";

export type LogSeverity = "DEBUG" | "INFO" | "NOTICE" | "WARNING" | "ERROR" | "CRITICAL";
export const LABELS_KEY = "logging.googleapis.com/labels";

export type LogEntry = Record<string, unknown> & { severity: string; message: string; time: string };

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

export function logEntry(line: string, severity: LogSeverity, labels: Record<string, string>, time: string): LogEntry {
  const text = redactSecrets(line.replace(ANSI, ""));
  const structured = parseEntry(text);
  if (structured) {
    const own = (structured[LABELS_KEY] ?? {}) as Record<string, string>;
    return {
      ...structured,
      time: typeof structured.time === "string" ? structured.time : time,
      [LABELS_KEY]: { ...labels, ...own },
    };
  }
  return { severity: severityOf(text, severity), message: text, time, [LABELS_KEY]: labels };
}

/** The main error line (`rox: …`) is an ERROR, a `warning:` line a WARNING; anything else keeps its stream's. */
function severityOf(text: string, fallback: LogSeverity): LogSeverity {
  if (text.startsWith("rox: ")) return "ERROR";
  return /^warning:/i.test(text) ? "WARNING" : fallback;
}

function parseEntry(text: string): (Record<string, unknown> & { severity: string; message: string }) | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const ok =
      typeof value === "object" &&
      value !== null &&
      typeof value.severity === "string" &&
      typeof value.message === "string";
    return ok ? (value as Record<string, unknown> & { severity: string; message: string }) : undefined;
  } catch {
    return undefined;
  }
}
