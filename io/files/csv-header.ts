import { parseCsvHeader } from "../../transforms/decode/csv-record";
import { RecordAssembler, type FramedRecord } from "../../transforms/decode/record-assembler";
import { prepareTextRecord } from "../../transforms/decode/text-record";
import type { ByteSource } from "../../transforms/decode/byte-source";
import { readChunks } from "./file-byte-source";
import { framerFor, type TextFraming } from "../../transforms/decode/text-framing";

export type CsvHeaderRead =
  { ok: true; names: string[]; next: { offset: number; line: number } } | { ok: false; reason: string };

/** The first non-blank record of a CSV file, as column names; undefined when the file has no such record. */
export function readCsvHeader(source: ByteSource, framing: TextFraming): CsvHeaderRead | undefined {
  const record = firstNonBlankRecord(source, framing);
  if (!record) return undefined;
  const next = { offset: record.offset + record.size, line: record.line + record.newlines };
  const prepared = prepareTextRecord(record, "");
  if (!prepared?.ok) return { ok: false, reason: `CSV header: ${prepared?.dead.errorMessage}` };
  const header = parseCsvHeader(prepared.value.text);
  return header.ok ? { ok: true, names: header.names, next } : header;
}

function firstNonBlankRecord(source: ByteSource, framing: TextFraming): FramedRecord | undefined {
  const assembler = new RecordAssembler(framerFor(framing), {
    offset: 0,
    line: 1,
    maxRecordBytes: framing.maxRecordBytes,
  });
  for (const chunk of readChunks(source, 0, source.size)) {
    for (const record of assembler.push(chunk)) if (prepareTextRecord(record, "") !== undefined) return record;
  }
  for (const record of assembler.finish()) if (prepareTextRecord(record, "") !== undefined) return record;
  return undefined;
}
