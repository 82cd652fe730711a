/**
 * Our `beam:coder:row:v1` (pipelines/dataflow/row-coder.ts) against Beam Java's own RowCoder, the coder the Storage
 * Write schema transform decodes our rows with: Java reads the schema from the coder payload of a pipeline proto
 * (`SchemaTranslation.schemaFromProto`), decodes every row we encoded, and re-encodes it. Java must find exactly our
 * values, leave no byte unread, and produce exactly our bytes. One JVM for the whole file (≈4 s of JVM start and
 * compile); skipped with the reason printed when Java or the Beam JAR (scripts/setup-beam.sh jars) is missing.
 */
import { randomUUID } from "crypto";
import { Reader } from "protobufjs";
import type { Schema } from "apache-beam/proto/schema";
import { PortableRowCoder, RowCodingError } from "../../pipelines/dataflow/row-coder";
import { beamRowSchema } from "../../pipelines/dataflow/row-schema";
import { itNeeds, unmet, type Prerequisite } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { ALL_TYPES, rowCases, type Row, type RowCase } from "./row-coder-cases";
import {
  asJavaRenders,
  encodeRow,
  judgeWithJava,
  schemaInPipelineProto,
  withJavaDoubles,
  type EncodedCase,
  type JavaCase,
} from "./row-coder-java";

const cases = rowCases();
const work = tempDir("row-coder-java");
let judged: Map<string, JavaCase> | undefined;
const NEEDS: Prerequisite[] = ["java", "beam-jar"];
const judgedByJava = itNeeds(...NEEDS);

/**
 * The Beam schema of a case; reversed, its encoding positions run from the last field (15) to the first (0). It then
 * needs an id of its own: Java caches the coders it generates by schema id.
 */
function schemaOf(c: RowCase): Schema {
  const schema = beamRowSchema(c.table);
  if (!c.reversedEncoding) return schema;
  const count = schema.fields.length;
  return {
    ...schema,
    id: randomUUID(),
    encodingPositionsSet: true,
    fields: schema.fields.map((f, i) => ({ ...f, encodingPosition: count - 1 - i })),
  };
}

function encodeCase(c: RowCase): EncodedCase {
  const coder = new PortableRowCoder(schemaOf(c));
  return { name: c.name, schema: schemaInPipelineProto(coder), rows: c.rows.map((row) => encodeRow(coder, row)) };
}

beforeAll(async () => {
  if (unmet(...NEEDS)) return;
  const answers = await judgeWithJava(cases.map(encodeCase), work.dir);
  judged = new Map(answers.map((answer) => [answer.name, answer]));
}, 120_000);

afterAll(() => work.cleanup());

/** How Java typed our schemas: BigQuery TIMESTAMP must be DATETIME and DATE SqlTypes.DATE for the Storage Write. */
const JAVA_SCHEMAS: Record<string, string> = {
  flights:
    "event_id: STRING, date: DATETIME, delay: INT64, distance: INT64, origin: STRING, destination: STRING, hour_of_day: INT64?, " +
    "day_of_week: INT64?, route: STRING?, is_delayed: BOOLEAN?, _source: STRING, _run_id: STRING, _ingested_at: DATETIME",
  dead_letters:
    "timestamp: DATETIME, payloadString: STRING?, payloadBytes: BYTES?, attributes: STRING?, errorMessage: STRING, stacktrace: STRING?, " +
    "errorStage: STRING, errorClass: STRING, sourceUri: STRING, sourceLine: INT64?, messageId: STRING?, attempt: INT64, " +
    "records: INT64?, schemaName: STRING, jobName: STRING, runId: STRING, " +
    "replayedBy: STRING?, replayedAt: DATETIME?, replayOutcome: STRING?",
  all_types:
    "s: STRING?, i: INT64?, d: DOUBLE?, b: BOOLEAN?, y: BYTES?, t: DATETIME?, dt: Date(beam:logical_type:date:v1)?, " +
    "r: ROW{a: STRING, n: INT64?, inner: ROW{at: DATETIME, tags: ARRAY<STRING>}?}?, ss: ARRAY<STRING>, ii: ARRAY<INT64>, " +
    "dd: ARRAY<DOUBLE>, tt: ARRAY<DATETIME>, dts: ARRAY<Date(beam:logical_type:date:v1)>, rr: ARRAY<ROW{k: STRING, v: DOUBLE?}>, " +
    "req: STRING, last: INT64?",
};

function javaAnswer(name: string): JavaCase {
  const answer = judged?.get(name);
  if (!answer) throw new Error(`Java gave no answer for case ${name}`);
  return answer;
}

describe.each(cases.map((c) => [c.name, c] as const))("rows of %s, judged by Beam Java's RowCoder", (name, c) => {
  judgedByJava("Java reads the schema from the pipeline proto with BigQuery's types", () => {
    expect(javaAnswer(name).schema).toBe(JAVA_SCHEMAS[name.replace(/_reversed_encoding$/, "")]);
  });

  judgedByJava(
    "Java decodes our bytes to exactly our values, reading every byte, and the Storage Write converts them",
    () => {
      const answers = javaAnswer(name).rows;
      expect(answers).toHaveLength(c.rows.length);
      c.rows.forEach((row: Row, i) => {
        const { error, unread, storageWrite } = answers[i];
        expect({ row: i, error, unread, storageWrite }).toEqual({
          row: i,
          error: undefined,
          unread: 0,
          storageWrite: "ok",
        });
        expect(withJavaDoubles(c.table.fields, answers[i].value ?? {})).toEqual(asJavaRenders(c.table.fields, row));
      });
    },
  );

  judgedByJava("Java re-encodes what it decoded to exactly our bytes", () => {
    const ours = encodeCase(c).rows.map((bytes) => Buffer.from(bytes).toString("hex"));
    expect(javaAnswer(name).rows.map((answer) => answer.hex)).toEqual(ours);
  });

  test("we decode our bytes back to our values", () => {
    const coder = new PortableRowCoder(schemaOf(c));
    for (const row of c.rows) {
      const decoded = coder.decode(Reader.create(encodeRow(coder, row)));
      expect(asJavaRenders(c.table.fields, decoded)).toEqual(asJavaRenders(c.table.fields, row));
    }
  });
});

describe("values Java's RowCoder has no bytes for are refused with a RowCodingError", () => {
  const coder = new PortableRowCoder(beamRowSchema(ALL_TYPES));
  const valid: Row = { ss: [], req: "x" };

  test.each([
    ["an INT64 that is not an integer", { i: 1.5 }, "INT64 value 1.5 is not a 64-bit integer"],
    ["an INT64 past 2^63", { i: "9223372036854775808" }, "INT64 value 9223372036854775808 is not a 64-bit integer"],
    ["a TIMESTAMP that is not an instant", { t: "not a date" }, "TIMESTAMP value not a date is not an instant"],
    ["a DATE that is not a date", { dt: "2001-02-30x" }, "DATE value 2001-02-30x is not a date"],
    ["a null array element", { ss: ["a", null] }, "an array element is null (BigQuery arrays cannot hold nulls)"],
    ["a required field without a value", { req: null }, "field req is required but has no value"],
  ])("%s", (_what, change, message) => {
    const encode = () => encodeRow(coder, { ...valid, ...change });
    expect(encode).toThrow(RowCodingError);
    expect(encode).toThrow(message);
  });
});
