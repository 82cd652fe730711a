/** What a job, or one chunk of it, did with the records it read. */
export interface ChunkCounts {
  read: number;
  written: number;
  deadLettered: number;
  duplicates: number;
  /** Rows landed per table, feature tables included (they are not records read, so not in the reconciliation). */
  byTable: Record<string, number>;
  /** Dead letters by `<stage>/<errorClass>`, duplicates by `duplicate/<where found>`. */
  byReason: Record<string, number>;
  /**
   * Dead letters that stand for a number of records nobody can know (a file that cannot be read at all): each counts as
   * one record, so the counts add up, but they cannot show that nothing was lost. Absent when there are none.
   */
  uncounted?: number;
}

/** The job summary: every record read ends in exactly one of written, deadLettered or duplicates. */
export interface JobSummary extends ChunkCounts {
  job: string;
  runId: string;
  schema: string;
  startedAt: string;
  finishedAt: string;
  /** Files the input named that the job did not read (hidden, markers, symlinks): never skipped silently. */
  skipped?: SkippedFiles;
}

export interface SkippedFiles {
  count: number;
  /** The first ones (at most MAX_SKIPPED_LISTED), each with why it was not read. */
  files: { uri: string; reason: string }[];
}

const MAX_SKIPPED_LISTED = 100;
const MAX_SKIPPED_SHOWN = 10;

/** The summary's record of skipped files, or undefined when none was. */
export function skippedFiles(files: readonly { uri: string; reason: string }[]): SkippedFiles | undefined {
  if (files.length === 0) return undefined;
  return { count: files.length, files: files.slice(0, MAX_SKIPPED_LISTED).map(({ uri, reason }) => ({ uri, reason })) };
}

/** Where a run stands in `job_runs`: a run whose process died while `running` is marked `abandoned` by a later run. */
export type RunStatus = "running" | "finished" | "failed" | "abandoned";

/** The `job_runs` columns, in order; `byTable` and `byReason` as JSON text. */
export const JOB_RUN_COLUMNS = [
  "runId",
  "job",
  "schema",
  "startedAt",
  "finishedAt",
  "read",
  "written",
  "deadLettered",
  "duplicates",
  "byTable",
  "byReason",
  "uncounted",
  "status",
  "owner",
] as const;

/** A run's `job_runs` row; `owner` is `host:pid` of the process running it, so a later run can tell it died. */
export function jobRunRow(
  summary: JobSummary,
  status: RunStatus,
  owner: string,
): Record<(typeof JOB_RUN_COLUMNS)[number], string | number> {
  const { runId, job, schema, startedAt, finishedAt, read, written, deadLettered, duplicates } = summary;
  const json = { byTable: JSON.stringify(summary.byTable), byReason: JSON.stringify(summary.byReason) };
  return {
    runId,
    job,
    schema,
    startedAt,
    finishedAt,
    read,
    written,
    deadLettered,
    duplicates,
    ...json,
    uncounted: summary.uncounted ?? 0,
    status,
    owner,
  };
}

export function emptyCounts(): ChunkCounts {
  return { read: 0, written: 0, deadLettered: 0, duplicates: 0, byTable: {}, byReason: {} };
}

export function addCounts(a: ChunkCounts, b: ChunkCounts): ChunkCounts {
  const uncounted = (a.uncounted ?? 0) + (b.uncounted ?? 0);
  return {
    read: a.read + b.read,
    written: a.written + b.written,
    deadLettered: a.deadLettered + b.deadLettered,
    duplicates: a.duplicates + b.duplicates,
    byTable: addTallies(a.byTable, b.byTable),
    byReason: addTallies(a.byReason, b.byReason),
    ...(uncounted > 0 ? { uncounted } : {}),
  };
}

export function addTallies(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  // Own keys only: a table named "constructor" must not add to Object's function.
  for (const [key, n] of Object.entries(b)) out[key] = (Object.hasOwn(out, key) ? out[key] : 0) + n;
  return out;
}

/** The difference `read - (written + deadLettered + duplicates)`: zero when nothing was lost or counted twice. */
export function unaccounted(c: ChunkCounts): number {
  return c.read - (c.written + c.deadLettered + c.duplicates);
}

/** The summary as a table; a job's own rows (`extra`, e.g. a replay's) go at its end, aligned with the rest. */
export function renderSummary(s: JobSummary, extra: [string, string][] = []): string {
  const seconds = (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000;
  const rows: [string, string][] = [
    ["job", `${s.job} (run ${s.runId}, schema ${s.schema})`],
    ["elapsed", `${seconds.toFixed(1)} s`],
    ["read", fmt(s.read)],
    ["written", fmt(s.written)],
    ["dead-lettered", fmt(s.deadLettered)],
    ["duplicates", fmt(s.duplicates)],
    ["reconciles", reconciliation(s)],
    ...tallyRows("table", s.byTable),
    ...tallyRows("reason", s.byReason),
    ...skippedRows(s.skipped),
    ...extra,
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** "yes", or why not: records unaccounted for, or dead letters whose record count cannot be known. */
export function reconciliation(c: ChunkCounts): string {
  if (unaccounted(c) !== 0) return `NO (${unaccounted(c)} unaccounted)`;
  if (c.uncounted)
    return `UNKNOWN (${c.uncounted} dead letter${c.uncounted === 1 ? "" : "s"} stand for records that cannot be counted)`;
  return "yes";
}

function tallyRows(label: string, tally: Record<string, number>): [string, string][] {
  return Object.keys(tally)
    .sort()
    .map((key) => [`  ${label} ${key}`, fmt(tally[key])]);
}

function skippedRows(skipped: SkippedFiles | undefined): [string, string][] {
  if (!skipped) return [];
  const rows: [string, string][] = [["skipped files", `${fmt(skipped.count)} named by the input, not read`]];
  for (const f of skipped.files.slice(0, MAX_SKIPPED_SHOWN)) rows.push(["  skipped", `${f.uri}: ${f.reason}`]);
  const more = skipped.count - (rows.length - 1);
  return more > 0 ? [...rows, ["  skipped", `… and ${fmt(more)} more`]] : rows;
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}
