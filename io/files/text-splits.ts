import type { Decoded, Outcome } from "../../transforms/envelope";
import { decodeCsvRecord } from "../../transforms/decode/csv-record";
import { csvHeaderAttributes } from "../../transforms/decode/dead-letter";
import { decodeJsonRecord } from "../../transforms/decode/json-record";
import { RecordAssembler, type FramedRecord } from "../../transforms/decode/record-assembler";
import { framerFor, type TextFraming } from "../../transforms/decode/text-framing";
import { prepareTextRecord, type TextRecord } from "../../transforms/decode/text-record";
import type { ByteSource } from "../../transforms/decode/byte-source";
import { readChunks, streamFromFile, withFileByteSource } from "./file-byte-source";
import { readCsvHeader } from "./csv-header";
import { unreadableFile } from "./split-dead-letters";
import type { FileSplit } from "./file-format";

type SplitFile = Pick<FileSplit, "uri" | "path" | "format">;
type Position = { offset: number; line: number };

/** Text splits: byte ranges cut at the first record boundary past each targetBytes, counting lines on the way. */
export function planTextSplits(file: SplitFile, targetBytes: number, framing: TextFraming): FileSplit[] {
  return withFileByteSource(file.path, (source) => {
    if (file.format !== "csv") {
      return cutSplits(source, framing, { offset: 0, line: 1 }, targetBytes).map((s) => ({ ...file, ...s }));
    }
    const header = readCsvHeader(source, framing);
    const csv = framing.quotedNewlines ? { quotedNewlines: true } : {};
    if (header === undefined) return []; // nothing but blank lines
    if (!header.ok) return [{ ...file, ...csv, start: 0, end: source.size, firstLine: 1 }]; // readSplit reports it
    const splits = cutSplits(source, framing, header.next, targetBytes);
    return splits.map((s) => ({ ...file, ...s, header: header.names, ...csv }));
  });
}

/** Cuts after whole records, as the reader assembles them (a record cut at its first line included). */
function cutSplits(source: ByteSource, framing: TextFraming, from: Position, targetBytes: number) {
  const splits: { start: number; end: number; firstLine: number }[] = [];
  let split = { start: from.offset, firstLine: from.line };
  const assembler = new RecordAssembler(framerFor(framing), { ...from, maxRecordBytes: framing.maxRecordBytes });
  const cutAfter = (record: FramedRecord) => {
    const end = record.offset + record.size;
    if (end - split.start < targetBytes) return;
    splits.push({ ...split, end });
    split = { start: end, firstLine: record.line + record.newlines };
  };
  for (const chunk of readChunks(source, from.offset, source.size))
    for (const record of assembler.push(chunk)) cutAfter(record);
  for (const record of assembler.finish()) cutAfter(record);
  if (split.start < source.size) splits.push({ ...split, end: source.size });
  return splits;
}

export function readTextSplit(split: FileSplit, maxRecordBytes?: number): Generator<Outcome<Decoded>> {
  return streamFromFile(split.path, (source) => readRecords(split, source, maxRecordBytes));
}

function* readRecords(split: FileSplit, source: ByteSource, maxRecordBytes?: number): Generator<Outcome<Decoded>> {
  const framing = { maxRecordBytes, quotedNewlines: split.quotedNewlines === true };
  const decodeText = textDecoderFor(split, source, framing);
  if (typeof decodeText === "string") return yield unreadableFile(split, decodeText);
  const assembler = new RecordAssembler(framerFor(framing), {
    offset: split.start,
    line: split.firstLine,
    maxRecordBytes,
  });
  for (const chunk of readChunks(source, split.start, split.end))
    yield* decodeRecords(assembler.push(chunk), split.uri, decodeText);
  yield* decodeRecords(assembler.finish(), split.uri, decodeText);
}

/** The format's record decoder, or why the file cannot be read (a CSV split planned without a header). */
function textDecoderFor(
  split: FileSplit,
  source: ByteSource,
  framing: TextFraming,
): ((record: TextRecord) => Outcome<Decoded>) | string {
  if (split.format !== "csv") return decodeJsonRecord;
  const names = split.header;
  if (names) {
    // Each record's dead letter carries the column names (one object for the split), so a replay can decode it again.
    const attributes = csvHeaderAttributes(names);
    return (record) => {
      record.envelope.attributes = attributes; // the record's own envelope: no copy on this hot path
      return decodeCsvRecord(record, names);
    };
  }
  const header = readCsvHeader(source, framing);
  return header?.ok === false ? header.reason : "CSV file has no header row";
}

function* decodeRecords(
  records: Iterable<FramedRecord>,
  uri: string,
  decodeText: (record: TextRecord) => Outcome<Decoded>,
): Generator<Outcome<Decoded>> {
  for (const record of records) {
    const prepared = prepareTextRecord(record, uri);
    if (prepared) yield prepared.ok ? decodeText(prepared.value) : prepared;
  }
}
