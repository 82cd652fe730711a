import type { FileMetaData } from "hyparquet" with { "resolution-mode": "import" };
import type { Decoded, Outcome } from "../../transforms/envelope";
import { decodeBinaryRecord } from "../../transforms/decode/binary-record";
import type { ByteSource } from "../../transforms/decode/byte-source";
import {
  readParquetFooter,
  rowGroupRecordBytes,
  rowGroupFirstRow,
  rowGroupOffset,
} from "../../transforms/decode/parquet-footer";
import { decodeParquetRowGroup, parquetRows, type RowRange } from "../../transforms/decode/parquet-row-group";
import { RECORD_WEIGHT_BYTES } from "../../transforms/decode/record-weight";
import { streamFromFile, withFileByteSource } from "./file-byte-source";
import { corruptParquetRowGroup, unreadableFile } from "./split-dead-letters";
import type { FileSplit } from "./file-format";

type SplitFile = Pick<FileSplit, "uri" | "path" | "format">;

/**
 * Parquet splits: ranges of row-group indices [start, end), grouped to about targetBytes of records. Without
 * cutRowGroups a row group is the smallest split; with it, a row group heavier than targetBytes becomes equal pieces of
 * rows (`rows`), so one chunk's records are bounded by the chunk size, not the writer's row-group size. `bytes` carries
 * the records' weight so chunks are sized like text splits.
 */
export function planParquetSplits(file: SplitFile, targetBytes: number, cutRowGroups = false): FileSplit[] {
  return withFileByteSource(file.path, (source) => {
    const read = readParquetFooter(source);
    if (!read.ok) return [{ ...file, start: 0, end: 0, firstLine: 1, bytes: 0 }]; // readSplit reports it
    const splits: FileSplit[] = [];
    const groups = read.metadata.row_groups.length;
    for (let start = 0, bytes = 0, index = 0; index < groups; index++) {
      if (cutRowGroups && rowGroupRecordBytes(read.metadata, index) > targetBytes) {
        if (index > start) splits.push(groupSplit(file, read.metadata, start, index, bytes));
        splits.push(...rowGroupPieces(file, read.metadata, index, targetBytes));
        start = index + 1;
        bytes = 0;
        continue;
      }
      bytes += rowGroupRecordBytes(read.metadata, index);
      const next = index + 1 < groups ? rowGroupRecordBytes(read.metadata, index + 1) : 0;
      const nextIsCut = cutRowGroups && next > targetBytes;
      if (index + 1 < groups && bytes + next <= targetBytes && !nextIsCut) continue;
      splits.push(groupSplit(file, read.metadata, start, index + 1, bytes));
      start = index + 1;
      bytes = 0;
    }
    return splits;
  });
}

function groupSplit(file: SplitFile, metadata: FileMetaData, start: number, end: number, bytes: number): FileSplit {
  return { ...file, start, end, firstLine: rowGroupFirstRow(metadata, start) + 1, bytes };
}

/** A row group in equal pieces of rows, each at most targetBytes of records. */
function rowGroupPieces(file: SplitFile, metadata: FileMetaData, index: number, targetBytes: number): FileSplit[] {
  const first = rowGroupFirstRow(metadata, index);
  const rows = Number(metadata.row_groups[index].num_rows);
  const pieces = Math.ceil(rowGroupRecordBytes(metadata, index) / targetBytes);
  const size = Math.ceil(rows / pieces);
  const splits: FileSplit[] = [];
  for (let from = 0; from < rows; from += size) {
    const to = Math.min(rows, from + size);
    splits.push({
      ...file,
      start: index,
      end: index + 1,
      firstLine: first + from + 1,
      bytes: (to - from) * RECORD_WEIGHT_BYTES,
      rows: { from: first + from, to: first + to },
    });
  }
  return splits;
}

export function readParquetSplit(split: FileSplit): Generator<Outcome<Decoded>> {
  return streamFromFile(split.path, (source) => readRowGroups(split, source));
}

function* readRowGroups(split: FileSplit, source: ByteSource): Generator<Outcome<Decoded>> {
  const read = readParquetFooter(source);
  if (!read.ok) return yield unreadableFile(split, read.reason);
  const end = Math.min(split.end, read.metadata.row_groups.length);
  for (let index = split.start; index < end; index++) yield* readRowGroup(split, source, read.metadata, index);
}

/** The rows of row group `index` the split reads, within the group (all of them unless the split is a piece). */
function rowsInGroup(split: FileSplit, metadata: FileMetaData, index: number): RowRange {
  const first = rowGroupFirstRow(metadata, index);
  const rows = Number(metadata.row_groups[index].num_rows);
  if (!split.rows) return { from: 0, to: rows };
  return {
    from: Math.min(rows, Math.max(0, split.rows.from - first)),
    to: Math.min(rows, Math.max(0, split.rows.to - first)),
  };
}

/**
 * A piece decodes its whole row group and yields only its rows: the decoded columns are a few MB, the records built
 * from them are what a chunk holds. So a damaged group fails in every piece alike, and its one dead letter (all the
 * rows the footer declares, as when it is read whole) comes from the piece that holds the group's first row.
 */
function* readRowGroup(
  split: FileSplit,
  source: ByteSource,
  metadata: FileMetaData,
  index: number,
): Generator<Outcome<Decoded>> {
  const range = rowsInGroup(split, metadata, index);
  if (range.to <= range.from) return;
  const firstRow = rowGroupFirstRow(metadata, index);
  const offset = rowGroupOffset(metadata, index);
  const decoded = decodeParquetRowGroup(source, metadata, index);
  if (!decoded.ok) {
    if (range.from > 0) return;
    const rows = Number(metadata.row_groups[index].num_rows);
    return yield corruptParquetRowGroup(split, { index, rows, firstRow, offset }, decoded.reason);
  }
  let line = firstRow + range.from + 1;
  for (const row of parquetRows(decoded.group, range))
    yield decodeBinaryRecord(row, { uri: split.uri, line: line++, offset });
}
