import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { runStreamJob } from "../../pipelines/stream-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { publishEvents } from "../../launcher/publish/replay";
import { writeFlightSample } from "../../launcher/sample/flights";
import { injectFaults } from "../../launcher/sample/faults";
import { readJsonLines } from "../../io/local/json-lines";
import { unaccounted } from "../../transforms/summary";
import { itNeeds } from "../support/prerequisites";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";

// The skew guard: the same event files through `rox batch` and through publish → `rox stream` (re-sent duplicates,
// out-of-order delivery, small micro-batches so windows are updated by late events) give identical tables.
const workspace = useEmulatorWorkspace("parity");

const FLIGHTS = "SELECT * EXCLUDE (_source, _run_id, _ingested_at) FROM flights ORDER BY event_id";
const HOURLY = "SELECT * EXCLUDE (_updated_at) FROM flights_origin_hourly ORDER BY origin, window_start";

async function tables(warehouse: DuckDbWarehouse): Promise<{ flights: string; hourly: string }> {
  return { flights: JSON.stringify(await warehouse.query(FLIGHTS)), hourly: JSON.stringify(await warehouse.query(HOURLY)) };
}

itNeeds("pubsub-emulator")("batch and stream give identical events and windowed features", async () => {
  const { dir } = workspace;
  const emulator = workspace.emulator!;
  const input = path.join(dir, "events");
  const sample = await writeFlightSample({ outDir: input, format: "jsonl", by: "day", from: "2001-01-05", to: "2001-01-06" });
  const events = [...readJsonLines(sample.files[0].path)].slice(0, 30);
  fs.writeFileSync(path.join(input, "faults.jsonl"), injectFaults(events, 3).map((f) => f.line).join("\n") + "\n");

  const batchWarehouse = await DuckDbWarehouse.open(path.join(dir, "batch.duckdb"));
  const batch = await runBatchJob({ input, schema: "flights", workDir: dir }, batchWarehouse);
  const expected = await tables(batchWarehouse);
  await batchWarehouse.close();

  const host = emulator.host;
  const source = await openSubscription({ host, project: "rox-test", subscription: "parity-sub", topic: "parity-events" });
  const published = await publishEvents({ host, project: "rox-test", topic: "parity-events", from: input, duplicates: 0.1, shuffleWithin: 1800, seed: 7 });
  const streamWarehouse = await DuckDbWarehouse.open(path.join(dir, "stream.duckdb"));
  try {
    const stream = await runStreamJob({ schema: "flights", subscription: "projects/rox-test/subscriptions/parity-sub", batchSize: 700, idleTimeoutSeconds: 3, maxMessages: published.published, workDir: dir }, source, streamWarehouse);
    expect(stream.read).toBe(published.published);
    expect(stream.written).toBe(batch.written);
    // A re-sent bad record is dead-lettered again (each delivery is a record that entered the job), not a duplicate.
    expect(stream.deadLettered).toBeGreaterThanOrEqual(batch.deadLettered);
    expect(stream.deadLettered + stream.duplicates).toBe(batch.deadLettered + batch.duplicates + published.duplicatesPublished);
    expect(unaccounted(stream)).toBe(0);
    const actual = await tables(streamWarehouse);
    expect(actual.flights).toBe(expected.flights);
    expect(actual.hourly).toBe(expected.hourly);
  } finally {
    await streamWarehouse.close();
  }
});
