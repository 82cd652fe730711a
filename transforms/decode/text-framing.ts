import { CsvFramer } from "./csv-framer";
import { lineFramer, type RecordFramer } from "./record-framer";

/** How text records are framed: the same for planning and reading, so every split boundary is a record boundary. */
export interface TextFraming {
  maxRecordBytes?: number;
  /** CSV only: quoted fields may hold newlines (BigQuery's `allowQuotedNewlines`); otherwise every '\n' ends a record. */
  quotedNewlines: boolean;
}

/** A fresh framer: quoted-newline CSV is framed by RFC 4180, everything else by lines. */
export function framerFor(framing: Pick<TextFraming, "quotedNewlines">): RecordFramer {
  return framing.quotedNewlines ? new CsvFramer() : lineFramer;
}
