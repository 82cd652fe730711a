/**
 * `--log-format json|text`: JSON lines in Cloud Logging's structured format, or the human lines. JSON is the default
 * where Google runs the process and collects its output (Cloud Run services and jobs, Vertex AI custom jobs); text in
 * a terminal. In JSON mode every line the process writes to stdout or stderr — console output, progress lines, the
 * final error line — leaves as one entry, with secrets redacted. Exit codes do not change.
 */
import { UsageError } from "../errors";
import { logEntry, type LogSeverity } from "./log-entry";

export const LOG_FORMATS = ["json", "text"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Environment variables Google sets where it collects a process's output as logs. */
const ON_GOOGLE_CLOUD = ["K_SERVICE", "CLOUD_RUN_JOB", "CLOUD_ML_JOB_ID"];

export function chooseLogFormat(flag: string | undefined, env: NodeJS.ProcessEnv): LogFormat {
  const chosen = flag ?? env.ROX_LOG_FORMAT;
  if (chosen === undefined || chosen === "") return ON_GOOGLE_CLOUD.some((name) => env[name]) ? "json" : "text";
  if (!(LOG_FORMATS as readonly string[]).includes(chosen))
    throw new UsageError(`--log-format must be json or text (got "${chosen}")`);
  return chosen as LogFormat;
}

const labels: Record<string, string> = {};

/** Adds labels to every entry from now on (a job's run id, once it has one). */
export function setLogLabels(more: Record<string, string | number | undefined>): void {
  for (const [key, value] of Object.entries(more)) if (value !== undefined) labels[key] = String(value);
}

/** Routes stdout and stderr through `logEntry`, line by line; returns what restores them (flushing a partial line). */
export function installJsonLogging(initial: Record<string, string>, now: () => Date = () => new Date()): () => void {
  setLogLabels(initial);
  const restores = [wrap(process.stdout, "INFO", now), wrap(process.stderr, "INFO", now)];
  return () => restores.forEach((restore) => restore());
}

function wrap(stream: NodeJS.WriteStream, severity: LogSeverity, now: () => Date): () => void {
  const write = stream.write.bind(stream) as (chunk: string) => boolean;
  let partial = "";
  const emit = (line: string) => {
    if (line.trim() !== "") write(JSON.stringify(logEntry(line, severity, { ...labels }, now().toISOString())) + "\n");
  };
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const lines = (partial + (typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"))).split(
      /\r\n|\r|\n/,
    );
    partial = lines.pop() ?? "";
    lines.forEach(emit);
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
  return () => {
    emit(partial);
    stream.write = write as typeof stream.write;
  };
}

/** Labels a command line gives before anything runs: the command and the flags that name what it works on. */
export function labelsOf(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { command: argv[0] ?? "" };
  const names: Record<string, string> = {
    schema: "schema",
    model: "model",
    "run-id": "run_id",
    partition: "partition",
    on: "table",
  };
  argv.forEach((arg, i) => {
    const [flag, inline] = arg.startsWith("--") ? arg.slice(2).split(/=(.*)/s, 2) : [];
    const value = inline ?? argv[i + 1];
    if (flag && Object.hasOwn(names, flag) && value !== undefined && !value.startsWith("--")) out[names[flag]] = value;
  });
  return out;
}

/** `--log-format <v>` or `--log-format=<v>` taken out of the command line (any command accepts it), and the format. */
export function takeLogFormat(argv: readonly string[], env: NodeJS.ProcessEnv): { format: LogFormat; rest: string[] } {
  const rest = [...argv];
  let flag: string | undefined;
  const at = rest.findIndex((a) => a === "--log-format" || a.startsWith("--log-format="));
  if (at >= 0) {
    const [arg] = rest.splice(at, 1);
    flag = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : rest.splice(at, 1)[0];
    if (flag === undefined) throw new UsageError("--log-format needs a value: json or text");
  }
  return { format: chooseLogFormat(flag, env), rest };
}
