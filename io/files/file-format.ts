/**
 * The input formats and the unit of reading work, in one place: every reader, planner and flag takes them from here.
 */
import * as path from "node:path";
import { InputError } from "../errors";

export const FILE_FORMATS = ["jsonl", "csv", "avro", "parquet"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

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
  /**
   * Parquet only: read just rows [from, to) of the file (0-based, within row groups start..end), so a row group heavier
   * than a chunk is read in pieces (see PlanOptions.cutRowGroups).
   */
  rows?: { from: number; to: number };
}

const FORMATS_BY_EXTENSION: Record<string, FileFormat> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "jsonl",
  ".csv": "csv",
  ".avro": "avro",
  ".parquet": "parquet",
};

/** The format a file's name says (`.jsonl`, `.ndjson`, `.json`, `.csv`, `.avro`, `.parquet`), if any. */
export function detectFormat(name: string): FileFormat | undefined {
  return FORMATS_BY_EXTENSION[path.extname(name).toLowerCase()];
}

/** The format given, else the one the name says; an InputError when neither tells. */
export function formatOf(name: string, given?: FileFormat): FileFormat {
  const found = given ?? detectFormat(name);
  if (!found)
    throw new InputError(`cannot tell the format of ${name} from its name: pass --format ${FILE_FORMATS.join("|")}`);
  return found;
}
