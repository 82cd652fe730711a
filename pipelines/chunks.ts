import type { FileSplit } from "../io/files/splits";

/** Splits grouped so one pipeline run (one DirectRunner bundle, all grouping in memory) stays bounded in size. */
export function groupIntoChunks(splits: FileSplit[], chunkBytes: number): FileSplit[][] {
  const chunks: FileSplit[][] = [];
  let current: FileSplit[] = [];
  let bytes = 0;
  for (const split of splits) {
    const size = splitBytes(split);
    if (current.length > 0 && bytes + size > chunkBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(split);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Text and Avro splits are byte ranges; Parquet splits carry their decoded size. */
function splitBytes(split: FileSplit): number {
  return split.bytes ?? split.end - split.start;
}
