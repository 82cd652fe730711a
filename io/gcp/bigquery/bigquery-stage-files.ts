/** Staged JSON-lines files rewritten for BigQuery: load files of a table's fields, and the chunk's fresh events. */
import * as fs from "fs";
import type { BigQueryField } from "../../../schemas/bigquery";
import type { Contract } from "../../../schemas/contract";
import { JsonLinesAppender } from "../../files/json-lines";
import { readLineBuffers } from "../../files/line-buffers";
import { isLoadRow, plainRow, toFreshEvent, toLoadRow } from "./bigquery-rows";

const FLUSH_CHARS = 1 << 20;

/** Writes `rows` as load rows of `fields` to `out` (replacing it); returns how many. */
export function writeLoadFile(rows: Iterable<Record<string, unknown>>, fields: BigQueryField[], out: string): number {
  return writeLines(out, rows, (row) => toLoadRow(fields, row));
}

/** What `writeEventFiles` wrote: the rows, and each row's id in file order (to drop the ones found present). */
export interface EventFiles {
  rows: number;
  ids: string[];
}

/**
 * One pass over the staged events: each line is parsed once and written to `loadOut` as a load row of `fields` (its
 * own text when it is one already, see `isLoadRow`) and to `freshOut` as the window pass reads fresh events
 * (`toFreshEvent`: event times in epoch ms), every row taken as fresh; `keepFreshEvents` then drops the rows found
 * present. Both files are replaced.
 */
export function writeEventFiles(
  contract: Contract,
  fields: BigQueryField[],
  stagedEvents: string,
  loadOut: string,
  freshOut: string,
): EventFiles {
  const load = new LineWriter(loadOut);
  const fresh = new LineWriter(freshOut);
  const ids: string[] = [];
  try {
    for (const buffer of readLineBuffers(stagedEvents)) {
      const line = buffer.toString("utf8");
      const row = JSON.parse(line) as Record<string, unknown>;
      ids.push(String(row[contract.idField]));
      load.write(isLoadRow(fields, row) ? line : JSON.stringify(toLoadRow(fields, row)));
      fresh.write(JSON.stringify(toFreshEvent(contract, row)));
    }
  } finally {
    load.close();
    fresh.close();
  }
  return { rows: ids.length, ids };
}

/**
 * Rewrites the fresh-events file `writeEventFiles` wrote without the rows whose id is in `present` (line by line, by
 * position: no row is parsed again); returns how many are left. Untouched when `present` is empty.
 */
export function keepFreshEvents(freshOut: string, written: EventFiles, present: Set<string>): number {
  if (present.size === 0) return written.rows;
  const kept = `${freshOut}.kept`;
  const out = new LineWriter(kept);
  let index = 0;
  try {
    for (const line of readLineBuffers(freshOut))
      if (!present.has(written.ids[index++])) out.write(line.toString("utf8"));
  } finally {
    out.close();
  }
  if (index !== written.rows) throw new Error(`${freshOut} holds ${index} rows, ${written.rows} were written`);
  fs.renameSync(kept, freshOut);
  return out.count;
}

/** Query rows of fresh events (a run's staging table) → the same file `writeEventFiles` and `keepFreshEvents` write; returns how many. */
export async function writeFreshEventRows(
  contract: Contract,
  rows: AsyncIterable<Record<string, unknown>>,
  out: string,
): Promise<number> {
  fs.writeFileSync(out, "");
  const appender = new JsonLinesAppender(out);
  try {
    for await (const row of rows) appender.append(toFreshEvent(contract, plainRow(row)));
  } finally {
    appender.close();
  }
  return appender.count;
}

function writeLines(
  out: string,
  rows: Iterable<Record<string, unknown>>,
  convert: (row: Record<string, unknown>) => unknown,
): number {
  fs.writeFileSync(out, ""); // the file exists even when no row does, as DuckDB's COPY leaves it
  const appender = new JsonLinesAppender(out);
  try {
    for (const row of rows) appender.append(convert(row));
  } finally {
    appender.close();
  }
  return appender.count;
}

/** Lines written through a buffer to a file it replaces (it exists even when no line does). */
class LineWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingChars = 0;
  count = 0;

  constructor(out: string) {
    this.fd = fs.openSync(out, "w");
  }

  write(line: string): void {
    this.pending.push(line, "\n");
    this.pendingChars += line.length + 1;
    this.count++;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  close(): void {
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
    }
  }

  private flush(): void {
    if (this.pending.length > 0) fs.writeSync(this.fd, this.pending.join(""));
    this.pending = [];
    this.pendingChars = 0;
  }
}
