import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Decoded, Outcome } from "../../transforms/envelope";
import { planAvroSplits, readAvroSplit } from "./avro-splits";
import { planParquetSplits, readParquetSplit } from "./parquet-splits";
import { unreadableFile } from "./split-dead-letters";
import { planTextSplits, readTextSplit } from "./text-splits";
import type { FileFormat, FileSplit } from "./file-format";

export { detectFormat, FILE_FORMATS, formatOf, type FileFormat, type FileSplit } from "./file-format";

export interface PlanOptions {
  /** Rough split size in bytes (default 32 MiB); splits still start and end on record boundaries. */
  targetBytes?: number;
  /** Text formats: the record size limit, which also bounds a CSV record spanning lines (default 1 MiB). */
  maxRecordBytes?: number;
  /** CSV: let quoted fields hold newlines, within maxRecordBytes (BigQuery's `allowQuotedNewlines`; default false). */
  csvQuotedNewlines?: boolean;
  /**
   * Parquet: cut a row group heavier than targetBytes into pieces of rows (default false: a row group is the smallest
   * split). The batch job sets it so a chunk, not the file's row-group size, bounds what one pipeline run holds.
   */
  cutRowGroups?: boolean;
}

export interface ReadOptions {
  /** Text records larger than this become record_too_large dead letters (default 1 MiB). */
  maxRecordBytes?: number;
}

export const DEFAULT_TARGET_BYTES = 32 * 1024 * 1024;

/** Plans the splits of one file. Content problems are left for readSplit to report; fs errors throw. */
export function planSplits(filePath: string, format: FileFormat, opts: PlanOptions = {}): FileSplit[] {
  // An empty file holds no records in any format (an Avro or Parquet file needs at least its header to hold one).
  if (fs.statSync(filePath).size === 0) return [];
  const file = { uri: pathToFileURL(path.resolve(filePath)).href, path: filePath, format };
  const targetBytes = Math.max(1, opts.targetBytes ?? DEFAULT_TARGET_BYTES);
  if (format === "avro") return planAvroSplits(file, targetBytes);
  if (format === "parquet") return planParquetSplits(file, targetBytes, opts.cutRowGroups === true);
  const text = {
    maxRecordBytes: opts.maxRecordBytes,
    quotedNewlines: format === "csv" && opts.csvQuotedNewlines === true,
  };
  return planTextSplits(file, targetBytes, text);
}

/** Yields one Outcome per non-blank record of the split; never throws, a failure becomes a dead letter. */
export function readSplit(split: FileSplit, opts: ReadOptions = {}): Generator<Outcome<Decoded>> {
  return guarded(split, () => {
    if (split.format === "avro") return readAvroSplit(split);
    if (split.format === "parquet") return readParquetSplit(split);
    return readTextSplit(split, opts.maxRecordBytes);
  });
}

function* guarded(split: FileSplit, read: () => Generator<Outcome<Decoded>>): Generator<Outcome<Decoded>> {
  try {
    yield* read();
  } catch (error) {
    yield unreadableFile(split, (error as Error).message);
  }
}
