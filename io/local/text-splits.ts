import type { Decoded, Outcome } from "../../transforms/envelope";
import { decodeCsvRecord } from "../../transforms/decode/csv-record";
import { CsvFramer } from "../../transforms/decode/csv-framer";
import { decodeJsonRecord } from "../../transforms/decode/json-record";
import { RecordAssembler, type FramedRecord } from "../../transforms/decode/record-assembler";
import { countNewlines, lineFramer, type RecordFramer } from "../../transforms/decode/record-framer";
import { prepareTextRecord, type TextRecord } from "../../transforms/decode/text-record";
import type { ByteSource } from "../../transforms/decode/byte-source";
import { readChunks, streamFromFile, withFileByteSource } from "./file-byte-source";
import { readCsvHeader } from "./csv-header";
import { unreadableFile } from "./split-dead-letters";
import type { FileSplit } from "./splits";

type SplitFile = Pick<FileSplit, "uri" | "path" | "format">;
type Position = { offset: number; line: number };

function framerFor(format: FileSplit["format"]): RecordFramer {
  return format === "csv" ? new CsvFramer() : lineFramer;
}

/** Text splits: byte ranges cut at the first record boundary past each targetBytes, counting lines on the way. */
export function planTextSplits(file: SplitFile, targetBytes: number): FileSplit[] {
  return withFileByteSource(file.path, (source) => {
    if (file.format !== "csv") {
      return cutSplits(source, lineFramer, { offset: 0, line: 1 }, targetBytes).map((s) => ({ ...file, ...s }));
    }
    const header = readCsvHeader(source);
    if (header === undefined) return []; // nothing but blank lines
    if (!header.ok) return [{ ...file, start: 0, end: source.size, firstLine: 1 }]; // readSplit reports it
    const splits = cutSplits(source, new CsvFramer(), header.next, targetBytes);
    return splits.map((s) => ({ ...file, ...s, header: header.names }));
  });
}

function cutSplits(source: ByteSource, framer: RecordFramer, from: Position, targetBytes: number) {
  const splits: { start: number; end: number; firstLine: number }[] = [];
  let split = { start: from.offset, firstLine: from.line };
  let line = from.line;
  let chunkStart = from.offset;
  for (const chunk of readChunks(source, from.offset, source.size)) {
    let at = 0;
    for (let end = framer.nextEnd(chunk, at); end >= 0; end = framer.nextEnd(chunk, at)) {
      line += countNewlines(chunk, at, end);
      at = end;
      if (chunkStart + end - split.start < targetBytes) continue;
      splits.push({ ...split, end: chunkStart + end });
      split = { start: chunkStart + end, firstLine: line };
    }
    line += countNewlines(chunk, at);
    chunkStart += chunk.length;
  }
  if (split.start < source.size) splits.push({ ...split, end: source.size });
  return splits;
}

export function readTextSplit(split: FileSplit, maxRecordBytes?: number): Generator<Outcome<Decoded>> {
  return streamFromFile(split.path, (source) => readRecords(split, source, maxRecordBytes));
}

function* readRecords(split: FileSplit, source: ByteSource, maxRecordBytes?: number): Generator<Outcome<Decoded>> {
  const decodeText = textDecoderFor(split, source);
  if (typeof decodeText === "string") return yield unreadableFile(split, decodeText);
  const assembler = new RecordAssembler(framerFor(split.format), { offset: split.start, line: split.firstLine, maxRecordBytes });
  for (const chunk of readChunks(source, split.start, split.end)) yield* decodeRecords(assembler.push(chunk), split.uri, decodeText);
  yield* decodeRecords(assembler.finish(), split.uri, decodeText);
}

/** The format's record decoder, or why the file cannot be read (a CSV split planned without a header). */
function textDecoderFor(split: FileSplit, source: ByteSource): ((record: TextRecord) => Outcome<Decoded>) | string {
  if (split.format !== "csv") return decodeJsonRecord;
  const names = split.header;
  if (names) return (record) => decodeCsvRecord(record, names);
  const header = readCsvHeader(source);
  return header?.ok === false ? header.reason : "CSV file has no header row";
}

function* decodeRecords(records: Iterable<FramedRecord>, uri: string, decodeText: (record: TextRecord) => Outcome<Decoded>): Generator<Outcome<Decoded>> {
  for (const record of records) {
    const prepared = prepareTextRecord(record, uri);
    if (prepared) yield prepared.ok ? decodeText(prepared.value) : prepared;
  }
}
