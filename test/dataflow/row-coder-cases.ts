/**
 * The rows the RowCoder test hands to Java: the flights events table and the dead-letter table as the pipeline fills
 * them (through the shared transforms), and a table of every column type with its edge values. Values are as the
 * pipeline has them: BigQuery JSON (TIMESTAMP ISO text, DATE `YYYY-MM-DD`, BYTES base64).
 */
import type { BigQueryField, BigQueryTableSchema } from "../../schemas/bigquery";
import { bigQueryTableSchema, deadLetterTableSchema } from "../../schemas/bigquery";
import { loadContract } from "../../schemas/load";
import type { Decoded, DeadLetter } from "../../transforms/envelope";
import { featureModule } from "../../transforms/features";
import { normalizeEvent } from "../../transforms/normalize";
import { deadLetterRow, eventRow } from "../../transforms/rows";
import { validateRecord } from "../../transforms/validate";

export type Row = Record<string, unknown>;

export interface RowCase {
  name: string;
  table: BigQueryTableSchema;
  rows: Row[];
  /** Encode the fields in reverse order (the schema says so by its encoding positions, as Java's may). */
  reversedEncoding?: boolean;
}

const NOW_MS = Date.parse("2024-03-01T12:00:00Z");
const META = { runId: "run-7", ingestedAt: "2024-03-01T12:00:00.123Z" };

/** Flights records through validate → normalize → features → events row, as `keepFirstOfId` builds them. */
function flightRows(): Row[] {
  const contract = loadContract("flights");
  const features = featureModule(contract.features?.module);
  const records = [
    { event_id: "f-1", date: "2001-01-01T06:05:00Z", delay: 14, distance: 405, origin: "ABQ", destination: "DAL" },
    { event_id: "f-2", date: "1990-01-01T00:00:00Z", delay: -1440, distance: 1, origin: "SFO", destination: "JFK" },
    {
      event_id: "vol-ü-✈-🛫",
      date: "2024-03-02T11:59:59.999Z",
      delay: 2880,
      distance: 10000,
      origin: "LAS",
      destination: "PHL",
    },
  ];
  return records.map((fields, line) => {
    const decoded: Decoded = {
      fields,
      envelope: { payload: JSON.stringify(fields), source: { uri: "gs://b/in.jsonl", line }, attempt: 1 },
    };
    const valid = validateRecord(contract, decoded, NOW_MS);
    if (!valid.ok) throw new Error(`fixture record ${fields.event_id} is invalid: ${valid.dead.errorMessage}`);
    const event = normalizeEvent(contract, valid.value);
    return eventRow(contract, event, features.eventFeatures(event), `gs://b/in.jsonl:${line}`, META);
  });
}

/** Dead letters of every shape the job writes: file and message sources, raw bytes, attributes, multi-byte text. */
function deadLetterRows(): Row[] {
  const ctx = { schemaName: "flights", jobName: "rox-flights", runId: "run-7", now: "2024-03-01T12:00:00.000Z" };
  const dead: DeadLetter[] = [
    {
      stage: "decode",
      errorClass: "malformed_json",
      errorMessage: "Unexpected token } in JSON",
      envelope: { payload: '{"a":}', source: { uri: "gs://b/in.jsonl", line: 12 }, attempt: 1 },
    },
    {
      stage: "validate",
      errorClass: "constraint.pattern",
      errorMessage: 'origin: must match ^[A-Z]{3}$ (got "la")',
      envelope: {
        payload: "�\u0000x",
        payloadBase64: "/wB4",
        source: { uri: "projects/p/subscriptions/s", messageId: "1234567890123" },
        attributes: { event_id: "é-1", event_time: "2001-01-01T00:00:00Z" },
        attempt: 5,
      },
    },
    {
      stage: "features",
      errorClass: "feature_error",
      errorMessage: "",
      envelope: { payload: "", source: { uri: "" }, attempt: 1 },
    },
  ];
  return dead.map((d) => deadLetterRow(d, ctx));
}

const field = (name: string, type: string, mode: BigQueryField["mode"], fields?: BigQueryField[]): BigQueryField => ({
  name,
  type,
  mode,
  ...(fields ? { fields } : {}),
});

/** Every column type, nullable and repeated, nested twice, 16 columns (encoding positions past 10). */
export const ALL_TYPES: BigQueryTableSchema = {
  fields: [
    field("s", "STRING", "NULLABLE"),
    field("i", "INT64", "NULLABLE"),
    field("d", "FLOAT64", "NULLABLE"),
    field("b", "BOOL", "NULLABLE"),
    field("y", "BYTES", "NULLABLE"),
    field("t", "TIMESTAMP", "NULLABLE"),
    field("dt", "DATE", "NULLABLE"),
    field("r", "RECORD", "NULLABLE", [
      field("a", "STRING", "REQUIRED"),
      field("n", "INT64", "NULLABLE"),
      field("inner", "RECORD", "NULLABLE", [field("at", "TIMESTAMP", "REQUIRED"), field("tags", "STRING", "REPEATED")]),
    ]),
    field("ss", "STRING", "REPEATED"),
    field("ii", "INT64", "REPEATED"),
    field("dd", "FLOAT64", "REPEATED"),
    field("tt", "TIMESTAMP", "REPEATED"),
    field("dts", "DATE", "REPEATED"),
    field("rr", "RECORD", "REPEATED", [field("k", "STRING", "REQUIRED"), field("v", "FLOAT64", "NULLABLE")]),
    field("req", "STRING", "REQUIRED"),
    field("last", "INT64", "NULLABLE"),
  ],
};

const EMPTY_LISTS = { ss: [], ii: [], dd: [], tt: [], dts: [], rr: [] };
const NULLS = { s: null, i: null, d: null, b: null, y: null, t: null, dt: null, r: null, last: null };

function allTypesRows(): Row[] {
  const bigBytes = Buffer.from(Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) & 0xff)).toString("base64");
  return [
    { ...NULLS, ...EMPTY_LISTS, req: "" },
    { ...NULLS, ...EMPTY_LISTS, req: "only the 15th field set", last: 1 },
    {
      ...EMPTY_LISTS,
      s: "",
      i: 0,
      d: 0,
      b: false,
      y: "",
      t: "1970-01-01T00:00:00.000Z",
      dt: "1970-01-01",
      r: { a: "", n: null, inner: null },
      req: "zeros",
      last: null,
    },
    {
      ...EMPTY_LISTS,
      s: 'ß∂ƒ 漢字 🚀 \u0000 \n\t"\\',
      i: -1,
      d: -0,
      b: true,
      y: "AA==",
      t: "1969-12-31T23:59:59.999Z",
      dt: "1969-12-31",
      r: null,
      req: "negatives",
      last: -9007199254740991,
    },
    {
      ...NULLS,
      ...EMPTY_LISTS,
      i: 9007199254740991,
      d: Number.NaN,
      t: "1900-01-01T00:00:00.000Z",
      dt: "1900-01-01",
      req: "bounds",
      last: "-9223372036854775808",
    },
    {
      ...NULLS,
      ...EMPTY_LISTS,
      i: "9223372036854775807",
      d: Number.POSITIVE_INFINITY,
      t: "9999-12-31T23:59:59.999Z",
      dt: "9999-12-31",
      req: "far future",
    },
    { ...NULLS, ...EMPTY_LISTS, d: Number.NEGATIVE_INFINITY, req: "-inf", last: 300 },
    { ...NULLS, ...EMPTY_LISTS, d: Number.MIN_VALUE, y: bigBytes, s: "x".repeat(20_000), req: "large" },
    { ...NULLS, ...EMPTY_LISTS, d: -Number.MAX_VALUE, i: -128, req: "doubles", last: 128 },
    // BigQuery's JSON leaves out empty REPEATED fields (or sends null): both are the empty list.
    { ...NULLS, ss: null, req: "absent arrays" },
    {
      ...NULLS,
      s: "nested",
      r: { a: "outer", n: 42, inner: { at: "2020-02-29T23:59:59.000Z", tags: ["x", "", "ü"] } },
      ss: Array.from({ length: 1000 }, (_, i) => `item ${i}`),
      ii: [0, -1, 1, 2 ** 40, -(2 ** 40)],
      dd: [1.5, Number.NaN, -0, Number.POSITIVE_INFINITY],
      tt: ["2001-01-01T00:00:00.000Z", "1969-07-20T20:17:40.000Z"],
      dts: ["2001-01-01", "1800-12-31"],
      rr: [
        { k: "a", v: 1 },
        { k: "b", v: null },
        { k: "", v: -0.5 },
      ],
      req: "collections",
    },
  ];
}

export function rowCases(): RowCase[] {
  return [
    { name: "flights", table: bigQueryTableSchema(loadContract("flights")), rows: flightRows() },
    { name: "dead_letters", table: deadLetterTableSchema(), rows: deadLetterRows() },
    { name: "all_types", table: ALL_TYPES, rows: allTypesRows() },
    { name: "all_types_reversed_encoding", table: ALL_TYPES, rows: allTypesRows(), reversedEncoding: true },
  ];
}
