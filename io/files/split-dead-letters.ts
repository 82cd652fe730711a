import { failure, type Decoded, type Outcome } from "../../transforms/envelope";
import type { AvroBlockFrame } from "../../transforms/decode/avro-blocks";
import { PREVIEW_BYTES } from "../../transforms/decode/record-assembler";
import { decodeUtf8Lossy, toBase64 } from "../../transforms/decode/utf8";
import { utf8Prefix } from "../../transforms/text";
import type { FileSplit } from "./file-format";

/**
 * The file (or what is left of it) cannot be read at all: one dead letter at stage "read", standing for a number of
 * records nobody can know (the summary says so rather than claiming its counts reconcile).
 */
export function unreadableFile(split: FileSplit, reason: string): Outcome<Decoded> {
  const envelope = {
    payload: "",
    source: { uri: split.uri, offset: split.format === "parquet" ? 0 : split.start },
    attempt: 1,
  };
  return failure("read", "unreadable_file", `${split.uri}: ${reason} (its records cannot be counted)`, envelope, null);
}

/**
 * One dead letter for a whole corrupt Avro block, standing for the records its header declares (null when the header
 * itself is lost); payloadBase64 keeps the block's first 64 KiB.
 */
export function corruptAvroBlock(
  split: FileSplit,
  frame: AvroBlockFrame,
  blockBytes: Uint8Array,
  line: number,
  reason: string,
): Outcome<Decoded> {
  const preview = utf8Prefix(blockBytes, PREVIEW_BYTES);
  const envelope = {
    payload: decodeUtf8Lossy(preview),
    payloadBase64: toBase64(preview),
    source: { uri: split.uri, line, offset: frame.start },
    attempt: 1,
  };
  const declared = frame.countKnown ? `its header declares ${frame.count} records` : "its record count is lost";
  const message = `corrupt Avro block at offset ${frame.start} (${frame.end - frame.start} bytes, ${declared}): ${reason}`;
  return failure("decode", "corrupt_avro_block", message, envelope, frame.countKnown ? frame.count : null);
}

/** One dead letter for a Parquet row group that does not decode. */
export function corruptParquetRowGroup(
  split: FileSplit,
  group: { index: number; rows: number; firstRow: number; offset: number },
  reason: string,
): Outcome<Decoded> {
  const payload = JSON.stringify({ rowGroup: group.index, rows: group.rows });
  const envelope = { payload, source: { uri: split.uri, line: group.firstRow + 1, offset: group.offset }, attempt: 1 };
  const message = `corrupt Parquet row group ${group.index} (the footer declares ${group.rows} rows): ${reason}`;
  return failure("decode", "corrupt_parquet_row_group", message, envelope, group.rows);
}
