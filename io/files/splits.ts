import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Decoded, Outcome } from "../../transforms/envelope";
import { planAvroSplits, readAvroSplit } from "./avro-splits";
import { planParquetSplits, readParquetSplit } from "./parquet-splits";
import { unreadableFile } from "./split-dead-letters";
import { planTextSplits, readTextSplit } from "./text-splits";

export type FileFormat = "jsonl" | "csv" | "avro" | "parquet";

/**
 * A unit of reading work: a byte range of whole records (text, Avro blocks) or a row-group index range
 * (Parquet). Plain JSON, so a plan can be written to a manifest and read back by workers.
 */
export interface FileSplit {
  uri: string;
  path: string;
  format: FileFormat;
  /** Byte offset (text, Avro) or first row-group index (Parquet). */
  start: number;
  /** Exclusive end: byte offset, or row-group index. */
  end: number;
  /** 1-based line of the split's first record (text) or 1-based index of its first record (Avro, Parquet). */
  firstLine: number;
  /** CSV only: the file's column names, taken from its header row. */
  header?: string[];
  /** CSV only: a quoted field may hold newlines (`--csv-quoted-newlines`); by default a newline ends every record. */
  quotedNewlines?: boolean;
  /** Avro and Parquet: the weight of its records in bytes (Parquet start/end count row groups; Avro blocks are compressed). */
  bytes?: number;
}

export interface PlanOptions {
  /** Rough split size in bytes (default 32 MiB); splits still start and end on record boundaries. */
  targetBytes?: number;
  /** Text formats: the record size limit, which also bounds a CSV record spanning lines (default 1 MiB). */
  maxRecordBytes?: number;
  /** CSV: let quoted fields hold newlines, within maxRecordBytes (BigQuery's `allowQuotedNewlines`; default false). */
  csvQuotedNewlines?: boolean;
}

export interface ReadOptions {
  /** Text records larger than this become record_too_large dead letters (default 1 MiB). */
  maxRecordBytes?: number;
}

export const DEFAULT_TARGET_BYTES = 32 * 1024 * 1024;

const FORMATS_BY_EXTENSION: Record<string, FileFormat> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "jsonl",
  ".csv": "csv",
  ".avro": "avro",
  ".parquet": "parquet",
};

export function detectFormat(filePath: string): FileFormat | undefined {
  return FORMATS_BY_EXTENSION[path.extname(filePath).toLowerCase()];
}

/** Plans the splits of one file. Content problems are left for readSplit to report; fs errors throw. */
export function planSplits(filePath: string, format: FileFormat, opts: PlanOptions = {}): FileSplit[] {
  // An empty file holds no records in any format (an Avro or Parquet file needs at least its header to hold one).
  if (fs.statSync(filePath).size === 0) return [];
  const file = { uri: pathToFileURL(path.resolve(filePath)).href, path: filePath, format };
  const targetBytes = Math.max(1, opts.targetBytes ?? DEFAULT_TARGET_BYTES);
  if (format === "avro") return planAvroSplits(file, targetBytes);
  if (format === "parquet") return planParquetSplits(file, targetBytes);
  const text = { maxRecordBytes: opts.maxRecordBytes, quotedNewlines: format === "csv" && opts.csvQuotedNewlines === true };
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
