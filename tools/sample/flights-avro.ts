import { createHash } from "node:crypto";
import { existsSync, readFileSync, createWriteStream } from "node:fs";
import { basename, dirname, join } from "node:path";
import { once } from "node:events";
import { pipeline } from "node:stream/promises";
import * as avro from "avsc";
import type { DuckDBConnection } from "@duckdb/node-api";

/** Used only until the project's `schemas/flights.avsc` exists; that file, when present, wins. */
export const INLINE_FLIGHT_SCHEMA: avro.Schema = {
  type: "record",
  name: "Flight",
  namespace: "rox.events",
  fields: [
    { name: "event_id", type: "string" },
    { name: "date", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "delay", type: "int" },
    { name: "distance", type: "int" },
    { name: "origin", type: "string" },
    { name: "destination", type: "string" },
  ],
};

/** The project root is the nearest folder holding package.json: works from the sources and from dist/. */
function findProjectRoot(start: string): string | undefined {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  return undefined;
}

export function flightSchemaPath(): string | undefined {
  const root = findProjectRoot(__dirname);
  const path = root && join(root, "schemas", "flights.avsc");
  return path && existsSync(path) ? path : undefined;
}

/**
 * The schema as JSON, not as an avsc Type: the encoder then writes it to the file header verbatim. From a Type,
 * avsc would re-export it and drop both the `rox.*` attributes and the timestamp-millis logical type.
 */
export function loadFlightSchema(): avro.Schema {
  const path = flightSchemaPath();
  return path ? JSON.parse(readFileSync(path, "utf8")) : INLINE_FLIGHT_SCHEMA;
}

/** Avro picks a random sync marker per file; deriving it from the file name makes reruns byte-identical. */
function syncMarkerFor(path: string): Buffer {
  return createHash("sha256").update(basename(path)).digest().subarray(0, 16);
}

/**
 * Streams the rows of `query` into an Avro object container file, one DuckDB chunk at a time, honouring the
 * encoder's backpressure so that memory stays flat whatever the row count. Returns the number of rows written.
 */
export async function writeAvroFile(
  connection: DuckDBConnection,
  query: string,
  schema: avro.Schema,
  path: string,
): Promise<number> {
  const encoder = new avro.streams.BlockEncoder(schema, { codec: "deflate", syncMarker: syncMarkerFor(path) });
  const written = pipeline(encoder, createWriteStream(path));
  try {
    const rows = await encodeRows(connection, query, encoder);
    encoder.end();
    await written;
    return rows;
  } catch (error) {
    encoder.destroy();
    await written.catch(() => undefined); // the first error is the one worth reporting
    throw error;
  }
}

async function encodeRows(
  connection: DuckDBConnection,
  query: string,
  encoder: avro.streams.BlockEncoder,
): Promise<number> {
  const result = await connection.stream(query);
  let rows = 0;
  for await (const chunk of result.yieldRowObjectJs()) {
    for (const record of chunk) {
      if (!encoder.write(record)) await once(encoder, "drain");
    }
    rows += chunk.length;
  }
  return rows;
}
