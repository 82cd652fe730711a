/**
 * A run with dead letters of several classes and sources, and the fix that lets some of them land: the input of the
 * replay tests (DuckDB and BigQuery alike). Every record says what it is, so a test can check where each one ends.
 */
import * as fs from "fs";
import * as path from "path";
import { encodeAvroFile } from "../decode/avro-fixture";
import { INLINE_FLIGHT_SCHEMA } from "../../tools/sample/flights-avro";
import { memoryByteSource } from "../../transforms/decode/byte-source";
import { readAvroHeader } from "../../transforms/decode/avro-header";
import { walkAvroBlocks } from "../../transforms/decode/avro-blocks";
import { runChunk } from "../../pipelines/chunk-run";
import { loadContract } from "../../schemas/load";
import type { Warehouse } from "../../io/ports";
import type { MessageRecord } from "../../transforms/decode/message";

export const MAX_RECORD_BYTES = 4096;
const HOUR = 3600_000;
const BASE = Date.parse("2001-01-03T10:00:00Z");

function flight(id: string, i: number, change: Record<string, unknown> = {}): Record<string, unknown> {
  const at = new Date(BASE + i * HOUR).toISOString();
  return { event_id: id, date: at, delay: 10 + i, distance: 400 + i, origin: "SFO", destination: "LAX", ...change };
}

/** JSON lines of the batch run: [line, what the first run does, what a replay with the fixed schema does]. */
export const JSONL: [string, string, string][] = [
  [JSON.stringify(flight("ok-1", 1)), "written", "-"],
  [JSON.stringify(flight("late-1", 2, { delay: 3000 })), "validate/constraint.max", "written"],
  [JSON.stringify(flight("late-far-1", 3, { delay: 3000, distance: 0 })), "validate/constraint.max", "failed_again"],
  ['{"event_id": "broken-1", "delay": ', "decode/malformed_json", "failed_again"],
  [JSON.stringify(flight("ok-1", 4, { delay: 3001 })), "validate/constraint.max", "duplicate (in the table)"],
  [JSON.stringify(flight("twice-1", 5, { delay: 3000 })), "validate/constraint.max", "written"],
  [JSON.stringify(flight("twice-1", 5, { delay: 3002 })), "validate/constraint.max", "duplicate (in the replay)"],
  [JSON.stringify(flight("huge-1", 6, { origin: "X".repeat(MAX_RECORD_BYTES) })), "decode/record_too_large", "stays"],
  [JSON.stringify(flight("lower-1", 7, { origin: "la" })), "validate/constraint.pattern", "failed_again"],
];

export const CSV_HEADER = "event_id,date,delay,distance,origin,destination";
/** CSV rows: the second one lands after the fix (decoded with the header its dead letter carries). */
export const CSV: [string, string, string][] = [
  ["csv-ok-1,2001-01-03T20:00:00Z,5,700,JFK,BOS", "written", "-"],
  ["csv-late-1,2001-01-03T21:00:00Z,2999,700,JFK,BOS", "validate/constraint.max", "written"],
];

/** Writes the batch run's input folder; returns the records of the corrupt Avro block. */
export async function writeBatchInput(dir: string): Promise<{ corruptBlockRecords: number; avroRecords: number }> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "events.jsonl"), JSONL.map(([line]) => line).join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "events.csv"), [CSV_HEADER, ...CSV.map(([row]) => row)].join("\n") + "\n");
  // The first Avro record is late: replayed from its JSON rendering, it lands after the fix.
  const records = Array.from({ length: 60 }, (_, i) => {
    const at = BigInt(BASE + i * 60_000);
    const delay = i === 0 ? 3500 : 1;
    return { event_id: `avro-${i}`, date: at, delay, distance: 100, origin: "LAS", destination: "PHL" };
  });
  // One of the Avro blocks is corrupt: its dead letter stands for the block's records, so it is not replayable.
  const bytes = await encodeAvroFile(INLINE_FLIGHT_SCHEMA, records, { blockSize: 512 });
  const source = memoryByteSource(bytes);
  const header = readAvroHeader(source);
  if (!header.ok) throw new Error(header.reason);
  const frames = [...walkAvroBlocks(source, header.header.sync, header.header.dataStart, bytes.length)];
  bytes.fill(0x55, frames[1].dataStart + 4, frames[1].dataEnd);
  fs.writeFileSync(path.join(dir, "events.avro"), bytes);
  return { corruptBlockRecords: frames[1].count, avroRecords: records.length };
}

export const SUBSCRIPTION = "pubsub://projects/rox-test/subscriptions/flights";

/** Messages of a streaming micro-batch: [message, first outcome, outcome of a replay with the fixed schema]. */
export const MESSAGES: [MessageRecord, string, string][] = [
  [message("m-1", flight("msg-ok-1", 8), 1), "written", "-"],
  [message("m-2", flight("msg-late-1", 9, { delay: 4000 }), 1), "validate/constraint.max", "written"],
  // Delivered too often (it kept failing a micro-batch): the whole message is kept, so a replay feeds it afresh.
  [message("m-3", flight("msg-tired-1", 10), 7), "read/delivery_attempts_exhausted", "written"],
  [message("m-4", flight("msg-lower-1", 11, { destination: "lax" }), 1), "validate/constraint.pattern", "failed_again"],
];

function message(id: string, event: Record<string, unknown>, deliveryAttempt: number): MessageRecord {
  const data = Buffer.from(JSON.stringify(event)).toString("base64");
  const publishTime = new Date(BASE).toISOString();
  return { messageId: id, data, attributes: { source: "test" }, publishTime, deliveryAttempt };
}

/**
 * One micro-batch of the streaming job, run exactly as `rox stream` runs it once it has pulled the messages (staged,
 * then the same chunk runner); the Pub/Sub side (pull, ack) is not what a replay reads.
 */
export async function runStreamBatch(warehouse: Warehouse, dir: string, runId: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const batch = path.join(dir, "messages.jsonl");
  fs.writeFileSync(batch, MESSAGES.map(([m]) => JSON.stringify(m) + "\n").join(""));
  const contract = loadContract("flights");
  await warehouse.ensureTables(contract);
  const source = { kind: "messages" as const, batch, subscription: SUBSCRIPTION, maxDeliveryAttempts: 5 };
  const run = { jobName: "stream", runId, nowMs: BASE + 48 * HOUR, chunkDir: dir, replace: false };
  await runChunk({ contract, source, maxRecordBytes: MAX_RECORD_BYTES, ...run }, warehouse);
}

/** The fix: the same contract with delay allowed up to 5000 minutes (a relaxed constraint, a new version). */
export function writeFixedSchema(dir: string): string {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "schemas", "flights.avsc"), "utf8"));
  schema["rox.version"] = 2;
  schema.fields.find((f: { name: string }) => f.name === "delay")["rox.max"] = 5000;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "flights.avsc"), JSON.stringify(schema, null, 2));
  return dir;
}

/** What a list of records expects of the first run or the replay, tallied. */
export function tally(rows: [unknown, string, string][], column: 1 | 2): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) out[row[column]] = (out[row[column]] ?? 0) + 1;
  return out;
}
