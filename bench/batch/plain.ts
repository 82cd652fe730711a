import * as os from "os";
import * as fs from "fs";
import * as path from "path";
import { loadContract } from "../../schemas/load";
import { listInputFiles } from "../../io/files/list-files";
import { detectFormat, planSplits, readSplit } from "../../io/files/splits";
import { validateRecord } from "../../transforms/validate";
import { normalizeEvent } from "../../transforms/normalize";
import { flightsFeatures } from "../../transforms/features/flights";
import { emptyAccumulator, type Accumulator } from "../../transforms/features/module";
import { eventRow, deadLetterRow, sourceRef } from "../../transforms/rows";
import { JsonLinesAppender } from "../../io/files/json-lines";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";

/**
 * The practical limit for the batch benchmark: one plain pass of Node over the same input doing the same work as the
 * job — the same readers, validator, normalizer and features, dedupe with a Set, hourly windows in a Map — and the same
 * DuckDB load of staged files. No Beam, no chunking.
 */
export async function runPlain(
  input: string,
  warehouseFile: string,
  workDir: string,
): Promise<{ read: number; written: number; deadLettered: number; duplicates: number }> {
  const contract = loadContract("flights");
  const nowMs = Date.now();
  const meta = { runId: "plain", ingestedAt: new Date(nowMs).toISOString() };
  fs.mkdirSync(workDir, { recursive: true });
  const staged = {
    events: path.join(workDir, "events.jsonl"),
    deadLetters: path.join(workDir, "dead.jsonl"),
    windowPartials: { origin_hourly: path.join(workDir, "window.jsonl") },
  };
  Object.values({ ...staged, ...staged.windowPartials }).forEach(
    (f) => typeof f === "string" && fs.writeFileSync(f, ""),
  );
  const events = new JsonLinesAppender(staged.events);
  const dead = new JsonLinesAppender(staged.deadLetters);
  const seen = new Set<string>();
  const windows = new Map<string, Accumulator>();
  let read = 0;
  let duplicates = 0;
  for (const file of listInputFiles(input)) {
    for (const split of planSplits(file, detectFormat(file) ?? "jsonl")) {
      for (const decoded of readSplit(split)) {
        read++;
        if (!decoded.ok) {
          dead.append(
            deadLetterRow(decoded.dead, {
              schemaName: "flights",
              jobName: "plain",
              runId: "plain",
              now: meta.ingestedAt,
            }),
          );
          continue;
        }
        const valid = validateRecord(contract, decoded.value, nowMs);
        if (!valid.ok) {
          dead.append(
            deadLetterRow(valid.dead, {
              schemaName: "flights",
              jobName: "plain",
              runId: "plain",
              now: meta.ingestedAt,
            }),
          );
          continue;
        }
        const event = normalizeEvent(contract, valid.value);
        const id = String(event.event_id);
        if (seen.has(id)) {
          duplicates++;
          continue;
        }
        seen.add(id);
        events.append(
          eventRow(
            contract,
            event,
            flightsFeatures.eventFeatures(event),
            sourceRef(decoded.value.envelope.source),
            meta,
          ),
        );
        addToWindow(windows, event);
      }
    }
  }
  events.close();
  dead.close();
  const partials = new JsonLinesAppender(staged.windowPartials.origin_hourly);
  for (const [slot, acc] of windows) {
    const [origin, start] = slot.split("|");
    partials.append({
      origin,
      window_start: new Date(Number(start)).toISOString(),
      window_end: new Date(Number(start) + 3_600_000).toISOString(),
      ...acc,
    });
  }
  partials.close();
  // One load of every row at once: the plain program gets DuckDB's own default limit (80% of the RAM), not the job's
  // 96MB default, under which a single load of 1M rows runs out of memory (its peak RSS is reported all the same).
  const memoryLimit = `${Math.floor((os.totalmem() * 0.8) / 2 ** 20)}MB`;
  const warehouse = await DuckDbWarehouse.open(warehouseFile, { memoryLimit });
  try {
    await warehouse.ensureTables(contract);
    const prepared = await warehouse.prepareChunk(contract, staged, path.join(workDir, "fresh.jsonl"), {
      replace: false,
    });
    const committed = await prepared.commit(staged);
    return { read, written: committed.eventsWritten, deadLettered: dead.count, duplicates };
  } finally {
    await warehouse.close();
  }
}

function addToWindow(windows: Map<string, Accumulator>, event: Record<string, unknown>): void {
  const start = Math.floor((event.date as number) / 3_600_000) * 3_600_000;
  const slot = `${event.origin}|${start}`;
  const aggregator = flightsFeatures.windows.origin_hourly;
  windows.set(slot, aggregator.add(windows.get(slot) ?? emptyAccumulator(aggregator), event));
}
