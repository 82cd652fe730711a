import type { FileMetaData } from "hyparquet" with { "resolution-mode": "import" };
import { asBuffer, type ByteSource } from "./byte-source";
import { parquetModules } from "./parquet-modules";
import { RECORD_WEIGHT_BYTES } from "./record-weight";

export type ParquetFooterRead = { ok: true; metadata: FileMetaData } | { ok: false; reason: string };

const MAGIC = "PAR1";

/** Reads a Parquet file's metadata from its footer: [metadata][u32 length]["PAR1"] at the end of the file. */
export function readParquetFooter(source: ByteSource): ParquetFooterRead {
  if (source.size < 12) return { ok: false, reason: `file of ${source.size} bytes is too short for Parquet` };
  const head = asBuffer(source.read(0, 4)).toString("latin1");
  const tail = asBuffer(source.read(source.size - 8, 8));
  if (head !== MAGIC || tail.toString("latin1", 4) !== MAGIC)
    return { ok: false, reason: "missing PAR1 magic: not a Parquet file, or truncated" };
  const length = tail.readUInt32LE(0);
  if (length > source.size - 12) return { ok: false, reason: `footer length ${length} exceeds the file` };
  try {
    const metadata = parquetModules().metadata.parquetMetadata(source.read(source.size - 8 - length, length + 8));
    return { ok: true, metadata };
  } catch (error) {
    return { ok: false, reason: `unreadable Parquet footer: ${(error as Error).message}` };
  }
}

/** Row index (0-based, within the file) of a row group's first row. */
export function rowGroupFirstRow(metadata: FileMetaData, index: number): number {
  let rows = 0;
  for (let i = 0; i < index; i++) rows += Number(metadata.row_groups[i].num_rows);
  return rows;
}

/** Byte offset where a row group's data starts. */
export function rowGroupOffset(metadata: FileMetaData, index: number): number {
  const first = metadata.row_groups[index].columns[0]?.meta_data;
  return first ? Number(first.dictionary_page_offset || first.data_page_offset) : 0;
}

/** Compressed bytes of a row group, for sizing splits. */
/**
 * What a row group weighs once the job holds its records, in bytes of the JSON-lines text it would be: sizes on disk
 * (even "uncompressed" ones, which are still dictionary- and run-length-encoded) understate it by an order of magnitude.
 */
export function rowGroupRecordBytes(metadata: FileMetaData, index: number): number {
  return Number(metadata.row_groups[index].num_rows) * RECORD_WEIGHT_BYTES;
}

export function rowGroupBytes(metadata: FileMetaData, index: number): number {
  const group = metadata.row_groups[index];
  if (group.total_compressed_size !== undefined) return Number(group.total_compressed_size);
  return group.columns.reduce((sum, chunk) => sum + Number(chunk.meta_data?.total_compressed_size ?? 0), 0);
}
