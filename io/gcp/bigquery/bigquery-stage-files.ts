/** Staged JSON-lines files rewritten for BigQuery: load files of a table's fields, and the chunk's fresh events. */
import * as fs from "fs";
import type { BigQueryField } from "../../../schemas/bigquery";
import type { Contract } from "../../../schemas/contract";
import { JsonLinesAppender, readJsonLines } from "../../files/json-lines";
import { plainRow, toFreshEvent, toLoadRow } from "./bigquery-rows";

/** Writes `rows` as load rows of `fields` to `out` (replacing it); returns how many. */
export function writeLoadFile(rows: Iterable<Record<string, unknown>>, fields: BigQueryField[], out: string): number {
  return writeLines(out, rows, (row) => toLoadRow(fields, row));
}

/** The staged events whose id is not in `present`, as the window pass reads them (event times in epoch ms). */
export function writeFreshEvents(contract: Contract, stagedEvents: string, present: Set<string>, out: string): number {
  const fresh = filter(readJsonLines(stagedEvents), (row) => !present.has(String(row[contract.idField])));
  return writeLines(out, fresh, (row) => toFreshEvent(contract, row));
}

/** Query rows of fresh events (a run's staging table) → the same file `writeFreshEvents` writes; returns how many. */
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

function* filter<T>(items: Iterable<T>, keep: (item: T) => boolean): Generator<T> {
  for (const item of items) if (keep(item)) yield item;
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
