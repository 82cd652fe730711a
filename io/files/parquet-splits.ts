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
import { decodeParquetRowGroup, parquetRows } from "../../transforms/decode/parquet-row-group";
import { streamFromFile, withFileByteSource } from "./file-byte-source";
import { corruptParquetRowGroup, unreadableFile } from "./split-dead-letters";
import type { FileSplit } from "./file-format";

type SplitFile = Pick<FileSplit, "uri" | "path" | "format">;

/**
 * Parquet splits: ranges of row-group indices [start, end), grouped to about targetBytes of records (a row group is
 * decoded whole, so it is the smallest split). `bytes` carries that weight so chunks are sized like text splits.
 */
export function planParquetSplits(file: SplitFile, targetBytes: number): FileSplit[] {
  return withFileByteSource(file.path, (source) => {
    const read = readParquetFooter(source);
    if (!read.ok) return [{ ...file, start: 0, end: 0, firstLine: 1, bytes: 0 }]; // readSplit reports it
    const splits: FileSplit[] = [];
    const groups = read.metadata.row_groups.length;
    for (let start = 0, bytes = 0, index = 0; index < groups; index++) {
      bytes += rowGroupRecordBytes(read.metadata, index);
      const next = index + 1 < groups ? rowGroupRecordBytes(read.metadata, index + 1) : 0;
      if (index + 1 < groups && bytes + next <= targetBytes) continue;
      splits.push({ ...file, start, end: index + 1, firstLine: rowGroupFirstRow(read.metadata, start) + 1, bytes });
      start = index + 1;
      bytes = 0;
    }
    return splits;
  });
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

function* readRowGroup(
  split: FileSplit,
  source: ByteSource,
  metadata: FileMetaData,
  index: number,
): Generator<Outcome<Decoded>> {
  const firstRow = rowGroupFirstRow(metadata, index);
  const offset = rowGroupOffset(metadata, index);
  const decoded = decodeParquetRowGroup(source, metadata, index);
  if (!decoded.ok) {
    const rows = Number(metadata.row_groups[index].num_rows);
    return yield corruptParquetRowGroup(split, { index, rows, firstRow, offset }, decoded.reason);
  }
  let line = firstRow + 1;
  for (const row of parquetRows(decoded.group)) yield decodeBinaryRecord(row, { uri: split.uri, line: line++, offset });
}
