import * as path from "path";
import { readJsonLines } from "../../io/files/json-lines";
import { writeFlightSample } from "../../tools/sample/flights";

/** The first 1,500 real flights of 11 January 2001 (what the serving fixture's model did not see), by event time. */
export async function dayFlightsByTime(dir: string): Promise<Record<string, unknown>[]> {
  const sample = await writeFlightSample({
    outDir: path.join(dir, "day"),
    format: "jsonl",
    by: "day",
    from: "2001-01-11",
    to: "2001-01-12",
    limit: 1500,
  });
  return [...readJsonLines(sample.files[0].path)].sort(
    (a, b) => Date.parse(String(a.date)) - Date.parse(String(b.date)),
  );
}
