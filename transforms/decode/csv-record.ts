import { failure, success, type Decoded, type Outcome } from "../envelope";
import { splitCsvFields } from "./csv-fields";
import type { TextRecord } from "./text-record";

/** Maps a CSV record onto the header's names. Values stay strings (textual); the validator coerces them. */
export function decodeCsvRecord({ text, envelope }: TextRecord, header: readonly string[]): Outcome<Decoded> {
  const line = envelope.source.line;
  const split = splitCsvFields(text);
  if (!split.ok) return failure("decode", "csv_bad_quoting", `CSV record at line ${line}, ${split.reason}`, envelope);
  if (split.fields.length !== header.length) {
    const message = `CSV record at line ${line} has ${split.fields.length} fields, the header has ${header.length}`;
    return failure("decode", "csv_column_count", message, envelope);
  }
  const fields: Record<string, unknown> = {};
  header.forEach((name, i) => (fields[name] = split.fields[i]));
  return success({ fields, envelope, textual: true });
}

/** Reads the header record's names; a header that does not parse makes the file unreadable. */
export function parseCsvHeader(text: string): { ok: true; names: string[] } | { ok: false; reason: string } {
  const split = splitCsvFields(text);
  return split.ok ? { ok: true, names: split.fields } : { ok: false, reason: `CSV header: ${split.reason}` };
}
