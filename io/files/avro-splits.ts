import type { Decoded, Outcome } from "../../transforms/envelope";
import { decodeAvroBlock } from "../../transforms/decode/avro-block";
import { recordsSpanned, walkAvroBlocks, type AvroBlockFrame } from "../../transforms/decode/avro-blocks";
import { readAvroHeader } from "../../transforms/decode/avro-header";
import { createAvroReaderType } from "../../transforms/decode/avro-types";
import type { ByteSource } from "../../transforms/decode/byte-source";
import { decodeBinaryRecord } from "../../transforms/decode/binary-record";
import { PREVIEW_BYTES } from "../../transforms/decode/record-assembler";
import { RECORD_WEIGHT_BYTES } from "../../transforms/decode/record-weight";
import { streamFromFile, withFileByteSource } from "./file-byte-source";
import { corruptAvroBlock, unreadableFile } from "./split-dead-letters";
import type { FileSplit } from "./file-format";

type SplitFile = Pick<FileSplit, "uri" | "path" | "format">;

/**
 * Avro splits: ranges of whole blocks, found by walking block headers and sync markers, grouped by the weight of their
 * records (blocks are compressed, so their size on disk understates what the job holds); `bytes` carries that weight.
 */
export function planAvroSplits(file: SplitFile, targetBytes: number): FileSplit[] {
  return withFileByteSource(file.path, (source) => {
    const read = readAvroHeader(source);
    if (!read.ok) return [{ ...file, start: 0, end: source.size, firstLine: 1 }]; // readSplit reports it
    const splits: FileSplit[] = [];
    let split = { ...file, start: read.header.dataStart, firstLine: 1, bytes: 0 };
    let nextRecord = 1;
    for (const frame of walkAvroBlocks(source, read.header.sync, read.header.dataStart, source.size)) {
      nextRecord += recordsSpanned(frame);
      split.bytes += Math.max(frame.end - frame.start, recordsSpanned(frame) * RECORD_WEIGHT_BYTES);
      if (split.bytes < targetBytes) continue;
      splits.push({ ...split, end: frame.end });
      split = { ...file, start: frame.end, firstLine: nextRecord, bytes: 0 };
    }
    if (split.start < source.size) splits.push({ ...split, end: source.size });
    return splits;
  });
}

/** Decodes block by block: a good block yields its records, a corrupt one a single dead letter. */
export function readAvroSplit(split: FileSplit): Generator<Outcome<Decoded>> {
  return streamFromFile(split.path, (source) => readBlocks(split, source));
}

function* readBlocks(split: FileSplit, source: ByteSource): Generator<Outcome<Decoded>> {
  const read = readAvroHeader(source);
  if (!read.ok) return yield unreadableFile(split, read.reason);
  const { codec, schema, sync } = read.header;
  const type = createAvroReaderType(schema);
  let line = split.firstLine;
  for (const frame of walkAvroBlocks(source, sync, split.start, split.end)) {
    const decoded = decodeAvroBlock(frame, blockData(source, frame), codec, type);
    if (decoded.ok) yield* recordsOf(split, frame, decoded.records, line);
    else
      yield corruptAvroBlock(
        split,
        frame,
        source.read(frame.start, Math.min(PREVIEW_BYTES + 1, frame.end - frame.start)),
        line,
        decoded.reason,
      );
    line += recordsSpanned(frame);
  }
}

function blockData(source: ByteSource, frame: AvroBlockFrame): Uint8Array {
  return frame.problem ? new Uint8Array(0) : source.read(frame.dataStart, frame.dataEnd - frame.dataStart);
}

function* recordsOf(
  split: FileSplit,
  frame: AvroBlockFrame,
  records: unknown[],
  firstLine: number,
): Generator<Outcome<Decoded>> {
  for (let i = 0; i < records.length; i++) {
    yield decodeBinaryRecord(records[i], { uri: split.uri, line: firstLine + i, offset: frame.start });
  }
}
