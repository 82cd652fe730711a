import * as fs from "fs";
import { readJsonLines } from "../../io/files/json-lines";
import type { StagedPaths } from "../sinks";

/**
 * The streaming graph on Flink stages every event it reads: Java's Pub/Sub read does not drop a re-sent id there
 * (Beam 2.49's `Read.Unbounded` applies its `Deduplicate` and then reads on from the undeduplicated output; see
 * docs/dataflow.md "Flink"), and the graph does not group by id (a stream has no end to group to). Before landing,
 * the first staged row of each id stays in the events and every later one becomes a staged duplicate
 * (`{ id, source, duplicateOf }`, as the graph's own dedupe writes them), so the run counts a re-sent id as the local
 * stream job does. Returns how many rows were moved. Holds only the ids in memory.
 */
export function moveRepeatedIdsToDuplicates(paths: StagedPaths, idField: string): number {
  const firstSource = new Map<string, string>();
  const kept = `${paths.events}.first-of-id`;
  const events = fs.openSync(kept, "w");
  const duplicates = fs.openSync(paths.duplicates, "a");
  let moved = 0;
  try {
    for (const row of readJsonLines(paths.events)) {
      const id = String(row[idField]);
      const source = String(row._source);
      const first = firstSource.get(id);
      if (first === undefined) {
        firstSource.set(id, source);
        fs.writeSync(events, JSON.stringify(row) + "\n");
      } else {
        fs.writeSync(duplicates, JSON.stringify({ id, source, duplicateOf: first }) + "\n");
        moved++;
      }
    }
  } finally {
    fs.closeSync(events);
    fs.closeSync(duplicates);
  }
  fs.renameSync(kept, paths.events);
  return moved;
}
