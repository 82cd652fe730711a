/**
 * Beam Java's own RowCoder as a judge of ours: `test/dataflow/java/RowCoderCheck.java`, run from source by Java 17
 * against the pre-fetched Beam JAR, decodes our bytes, re-encodes what it decoded and converts it as the Storage
 * Write does. One JVM for all cases.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { Writer } from "protobufjs";
import { Root } from "apache-beam/pvalue";
import { Pipeline } from "apache-beam/internal/pipeline";
import { withCoderInternal } from "apache-beam/transforms/internal";
import * as beam from "../../transforms/beam/sdk";
import { beamServicePaths } from "../../pipelines/beam-services";
import { PortableRowCoder, ROW_CODER_URN } from "../../pipelines/dataflow/row-coder";
import type { BigQueryField } from "../../schemas/bigquery";
import type { Row } from "./row-coder-cases";

const CHECK_SOURCE = path.join(__dirname, "java", "RowCoderCheck.java");

export interface JavaRow {
  /** Java's values (see RowCoderCheck's rendering), bytes it left unread, its own encoding; or the error it raised. */
  value?: Row;
  unread?: number;
  hex?: string;
  /** "ok", or the error the Storage Write's row → BigQuery proto conversion raised. */
  storageWrite?: string;
  error?: string;
}

export interface JavaCase {
  name: string;
  /** The schema as Java understood it: `name: TYPE`, `?` when nullable. */
  schema: string;
  rows: JavaRow[];
}

export interface EncodedCase {
  name: string;
  /** The serialized Beam Schema proto, as the coder's payload in the pipeline proto. */
  schema: Uint8Array;
  rows: Uint8Array[];
}

export async function judgeWithJava(cases: EncodedCase[], dir: string): Promise<JavaCase[]> {
  const input = path.join(dir, "row-coder-cases.json");
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
  const json = cases.map((c) => ({
    name: c.name,
    schema: Buffer.from(c.schema).toString("base64"),
    rows: c.rows.map(hex),
  }));
  fs.writeFileSync(input, JSON.stringify({ cases: json }));
  const run = promisify(execFile);
  const { stdout } = await run("java", ["-cp", beamServicePaths().gcpExpansionJar, CHECK_SOURCE, input], {
    maxBuffer: 256 << 20,
  });
  return (JSON.parse(stdout) as { cases: JavaCase[] }).cases;
}

/** The row coder's schema exactly as a pipeline proto carries it: the payload of its `beam:coder:row:v1`. */
export function schemaInPipelineProto(coder: PortableRowCoder): Uint8Array {
  const pipeline = new Pipeline();
  // Never run: the pipeline is only built to see the coder as its proto carries it.
  const unread = new Root(pipeline).apply(beam.impulse()) as unknown as beam.PCollection<Row>;
  unread.apply(withCoderInternal(coder));
  const coders = Object.values(pipeline.getProto().components?.coders ?? {});
  const row = coders.find((c) => c.spec?.urn === ROW_CODER_URN);
  if (!row?.spec) throw new Error("the pipeline proto has no row coder");
  return row.spec.payload;
}

export function encodeRow(coder: PortableRowCoder, row: Row): Uint8Array {
  const writer = new Writer();
  coder.encode(row, writer);
  return writer.finish();
}

/** Our row (BigQuery JSON values) as RowCoderCheck renders Java's: INT64 as decimal text, TIMESTAMP as epoch ms. */
export function asJavaRenders(fields: BigQueryField[], row: Row): Row {
  return Object.fromEntries(fields.map((f) => [f.name, renderValue(f, row[f.name], f.mode === "REPEATED")]));
}

function renderValue(f: BigQueryField, value: unknown, repeated: boolean): unknown {
  if (repeated) return ((value ?? []) as unknown[]).map((item) => renderValue(f, item, false));
  if (value === null || value === undefined) return null;
  if (f.type === "INT64") return BigInt(value as number | string).toString();
  if (f.type === "TIMESTAMP") return typeof value === "number" ? value : Date.parse(String(value));
  if (f.type === "RECORD") return asJavaRenders(f.fields ?? [], value as Row);
  return value;
}

/** Java's rendering with its DOUBLE text (`NaN`, `-0.0`, `1.0E10`) read back as numbers, for exact comparison. */
export function withJavaDoubles(fields: BigQueryField[], row: Row): Row {
  return Object.fromEntries(fields.map((f) => [f.name, readDoubles(f, row[f.name], f.mode === "REPEATED")]));
}

function readDoubles(f: BigQueryField, value: unknown, repeated: boolean): unknown {
  if (value === null || value === undefined) return value;
  if (repeated) return (value as unknown[]).map((item) => readDoubles(f, item, false));
  if (f.type === "FLOAT64") return Number(value);
  if (f.type === "RECORD") return withJavaDoubles(f.fields ?? [], value as Row);
  return value;
}
