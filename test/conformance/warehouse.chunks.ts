/**
 * Staged chunks for the warehouse conformance suite, written the way a job's ingest pipeline stages them: event rows
 * from `eventRow` (real features), dead letters from `deadLetterRow`, window partials merged with the feature module.
 */
import * as fs from "fs";
import * as path from "path";
import type { Contract, EventRecord } from "../../schemas/contract";
import type { StagedChunk } from "../../io/ports";
import { deadLetterRow, eventRow } from "../../transforms/rows";
import { featureModule } from "../../transforms/features";
import { emptyAccumulator, mergeAccumulators, type Accumulator } from "../../transforms/features/module";
import { loadContract } from "../../schemas/load";
import type { JobSummary } from "../../transforms/summary";

/** The suite's event type: flights (events, per-event features, one hourly window per origin). */
export const contract = loadContract("flights");

export interface Flight {
  id: string;
  /** ISO instant of departure (the event time). */
  at: string;
  origin: string;
  delay: number;
}

export interface ChunkInput {
  runId: string;
  events: Flight[];
  /** Sources (file:line) of records that failed; each becomes one dead letter. */
  deadLetters?: { line: number; bytes?: Buffer; errorClass?: string }[];
}

export function flightEvent(f: Flight): EventRecord {
  return {
    event_id: f.id,
    date: Date.parse(f.at),
    delay: f.delay,
    distance: 500,
    origin: f.origin,
    destination: f.origin === "SFO" ? "LAX" : "SFO",
  };
}

/** Writes the chunk's staged files into a fresh folder under `dir`. */
export function writeChunk(contract: Contract, dir: string, input: ChunkInput): StagedChunk {
  fs.mkdirSync(dir, { recursive: true });
  const events = input.events.map(flightEvent);
  const meta = { runId: input.runId, ingestedAt: "2001-02-01T00:00:00.000Z" };
  const features = featureModule(contract.features?.module);
  const rows = events.map((e, i) =>
    eventRow(contract, e, features.eventFeatures(e), `test://flights.jsonl:${i + 1}`, meta),
  );
  const chunk: StagedChunk = {
    events: writeLines(path.join(dir, "events.jsonl"), rows),
    deadLetters: writeLines(
      path.join(dir, "dead-letters.jsonl"),
      (input.deadLetters ?? []).map((d) => deadLetter(d, input.runId)),
    ),
    windowPartials: {},
  };
  for (const window of contract.features?.windows ?? []) {
    chunk.windowPartials[window.name] = writeLines(
      path.join(dir, `window-${window.name}.jsonl`),
      windowPartials(contract, window.name, events),
    );
  }
  return chunk;
}

/** Empties a chunk's window partials, as the job does when a rerun finds no fresh events to aggregate. */
export function withoutPartials(chunk: StagedChunk): StagedChunk {
  for (const file of Object.values(chunk.windowPartials)) fs.writeFileSync(file, "");
  return chunk;
}

function deadLetter(d: { line: number; bytes?: Buffer; errorClass?: string }, runId: string): Record<string, unknown> {
  const envelope = {
    payload: d.bytes ? d.bytes.toString("utf8") : `{"event_id": "bad-${d.line}", "delay": "late"}`,
    ...(d.bytes ? { payloadBase64: d.bytes.toString("base64") } : {}),
    source: { uri: "test://flights.jsonl", line: d.line },
    attempt: 1,
  };
  const errorMessage = "delay: expected an int, got a string";
  const dead = { stage: "validate" as const, errorClass: d.errorClass ?? "type.int", errorMessage, envelope };
  return deadLetterRow(dead, { schemaName: "flights", jobName: "conformance", runId, now: "2001-02-01T00:00:00.000Z" });
}

/** Partial aggregates per (key, window), as the window pipeline's merge step emits them. */
export function windowPartials(
  contract: Contract,
  windowName: string,
  events: EventRecord[],
): Record<string, unknown>[] {
  const spec = contract.features!.windows.find((w) => w.name === windowName)!;
  const aggregator = featureModule(contract.features?.module).windows[windowName];
  const sizeMs = spec.sizeSeconds * 1000;
  const slots = new Map<string, { key: string; start: number; acc: Accumulator }>();
  for (const event of events) {
    const key = String(event[spec.key]);
    const start = Math.floor((event[contract.eventTimeField] as number) / sizeMs) * sizeMs;
    const slot = slots.get(`${key}@${start}`) ?? { key, start, acc: emptyAccumulator(aggregator) };
    slot.acc = mergeAccumulators(aggregator, slot.acc, aggregator.add(emptyAccumulator(aggregator), event));
    slots.set(`${key}@${start}`, slot);
  }
  return [...slots.values()].map((s) => ({
    [spec.key]: s.key,
    window_start: new Date(s.start).toISOString(),
    window_end: new Date(s.start + sizeMs).toISOString(),
    ...s.acc,
  }));
}

function writeLines(file: string, rows: unknown[]): string {
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r) + "\n").join(""));
  return file;
}

/** The run summary a job would record after landing `input` (what the commit upserts into job_runs). */
export function summaryOf(input: ChunkInput, written: number, override: Partial<JobSummary> = {}): JobSummary {
  const dead = input.deadLetters?.length ?? 0;
  return {
    job: "conformance",
    runId: input.runId,
    schema: "flights",
    startedAt: "2001-02-01T00:00:00.000Z",
    finishedAt: "2001-02-01T00:01:00.000Z",
    read: input.events.length + dead,
    written,
    deadLettered: dead,
    duplicates: input.events.length - written,
    byTable: { flights: written },
    byReason: reasonsOf(input),
    ...override,
  };
}

function reasonsOf(input: ChunkInput): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of input.deadLetters ?? []) {
    const reason = `validate/${d.errorClass ?? "type.int"}`;
    out[reason] = (out[reason] ?? 0) + 1;
  }
  return out;
}
