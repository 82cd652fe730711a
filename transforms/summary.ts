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
}

/** The job summary: every record read ends in exactly one of written, deadLettered or duplicates. */
export interface JobSummary extends ChunkCounts {
  job: string;
  runId: string;
  schema: string;
  startedAt: string;
  finishedAt: string;
}

export function emptyCounts(): ChunkCounts {
  return { read: 0, written: 0, deadLettered: 0, duplicates: 0, byTable: {}, byReason: {} };
}

export function addCounts(a: ChunkCounts, b: ChunkCounts): ChunkCounts {
  return {
    read: a.read + b.read,
    written: a.written + b.written,
    deadLettered: a.deadLettered + b.deadLettered,
    duplicates: a.duplicates + b.duplicates,
    byTable: addTallies(a.byTable, b.byTable),
    byReason: addTallies(a.byReason, b.byReason),
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

export function renderSummary(s: JobSummary): string {
  const seconds = (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000;
  const rows: [string, string][] = [
    ["job", `${s.job} (run ${s.runId}, schema ${s.schema})`],
    ["elapsed", `${seconds.toFixed(1)} s`],
    ["read", fmt(s.read)],
    ["written", fmt(s.written)],
    ["dead-lettered", fmt(s.deadLettered)],
    ["duplicates", fmt(s.duplicates)],
    ["reconciles", unaccounted(s) === 0 ? "yes" : `NO (${unaccounted(s)} unaccounted)`],
    ...tallyRows("table", s.byTable),
    ...tallyRows("reason", s.byReason),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

function tallyRows(label: string, tally: Record<string, number>): [string, string][] {
  return Object.keys(tally)
    .sort()
    .map((key) => [`  ${label} ${key}`, fmt(tally[key])]);
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}
