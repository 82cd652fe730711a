/** The fields of one CSV record, or why its quoting is not RFC 4180. */
export type CsvFields = { ok: true; fields: string[] } | { ok: false; reason: string };

type FieldRead = { value: string; next: number } | { error: string };

/**
 * Splits one CSV record (terminator already removed) into fields: quoted fields may hold commas, newlines
 * and "" escapes. A quote inside an unquoted field, text after a closing quote, or a quoted field that never
 * closes is bad quoting, reported rather than guessed at.
 */
export function splitCsvFields(record: string): CsvFields {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    const read = record[i] === '"' ? readQuoted(record, i) : readUnquoted(record, i);
    if ("error" in read) return { ok: false, reason: `field ${fields.length + 1}: ${read.error}` };
    fields.push(read.value);
    if (read.next >= record.length) return { ok: true, fields };
    i = read.next + 1; // past the comma; a trailing comma yields one more, empty field
  }
}

function readUnquoted(record: string, start: number): FieldRead {
  const comma = record.indexOf(",", start);
  const end = comma < 0 ? record.length : comma;
  const value = record.slice(start, end);
  if (value.includes('"')) return { error: "quote inside an unquoted field" };
  return { value, next: end };
}

function readQuoted(record: string, start: number): FieldRead {
  let value = "";
  let from = start + 1;
  for (;;) {
    const quote = record.indexOf('"', from);
    if (quote < 0) return { error: "quoted field is not terminated" };
    value += record.slice(from, quote);
    if (record[quote + 1] === '"') {
      value += '"';
      from = quote + 2;
      continue;
    }
    const next = quote + 1;
    if (next < record.length && record[next] !== ",") return { error: "text after a closing quote" };
    return { value, next };
  }
}
