import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { runStreamJob } from "../../pipelines/stream-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { listInputFiles } from "../../io/files/list-files";
import { MemoryPubSub } from "../../io/memory/memory-pubsub";
import type { MessageSource } from "../../io/ports";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { planMessages, type PlanOptions } from "../../tools/publish/plan";
import { publishEvents } from "../../tools/publish/replay";
import { writeFlightSample } from "../../tools/sample/flights";
import { injectFaults } from "../../tools/sample/faults";
import { readJsonLines } from "../../io/files/json-lines";
import { type JobSummary, unaccounted } from "../../transforms/summary";
import { itNeeds } from "../support/prerequisites";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";

// The skew guard: the same event files through `rox batch` and through publish → `rox stream` (re-sent duplicates,
// out-of-order delivery, small micro-batches so windows are updated by late events) give identical tables. The stream
// side reads the in-memory Pub/Sub in every run, and the Pub/Sub emulator where it runs.
const workspace = useEmulatorWorkspace("parity");

const FLIGHTS = "SELECT * EXCLUDE (_source, _run_id, _ingested_at) FROM flights ORDER BY event_id";
const HOURLY = "SELECT * EXCLUDE (_updated_at) FROM flights_origin_hourly ORDER BY origin, window_start";
const PLAN: PlanOptions = { duplicates: 0.1, shuffleWithin: 1800, seed: 7 };
const SUBSCRIPTION = "projects/rox-test/subscriptions/parity-sub";

interface Tables {
  flights: string;
  hourly: string;
}

async function tables(warehouse: DuckDbWarehouse): Promise<Tables> {
  return {
    flights: JSON.stringify(await warehouse.query(FLIGHTS)),
    hourly: JSON.stringify(await warehouse.query(HOURLY)),
  };
}

/** The input (a day of flights and injected faults) and what the batch job makes of it: made once, for both feeds. */
let batchSide: Promise<{ input: string; summary: JobSummary; tables: Tables }> | undefined;

function batchRun(dir: string): NonNullable<typeof batchSide> {
  batchSide ??= (async () => {
    const input = path.join(dir, "events");
    const sample = await writeFlightSample({
      outDir: input,
      format: "jsonl",
      by: "day",
      from: "2001-01-05",
      to: "2001-01-06",
    });
    const events = [...readJsonLines(sample.files[0].path)].slice(0, 30);
    fs.writeFileSync(
      path.join(input, "faults.jsonl"),
      injectFaults(events, 3)
        .map((f) => f.line)
        .join("\n") + "\n",
    );
    const warehouse = await DuckDbWarehouse.open(path.join(dir, "batch.duckdb"));
    try {
      const summary = await runBatchJob({ input, schema: "flights", workDir: dir }, warehouse);
      return { input, summary, tables: await tables(warehouse) };
    } finally {
      await warehouse.close();
    }
  })();
  return batchSide;
}

interface Feed {
  source: MessageSource;
  published: number;
  duplicatesPublished: number;
}

async function expectStreamMatchesBatch(label: string, feed: (input: string) => Promise<Feed>): Promise<void> {
  const { dir } = workspace;
  const batch = await batchRun(dir);
  const { source, published, duplicatesPublished } = await feed(batch.input);
  const warehouse = await DuckDbWarehouse.open(path.join(dir, `stream-${label}.duckdb`));
  try {
    const stream = await runStreamJob(
      {
        schema: "flights",
        subscription: SUBSCRIPTION,
        batchSize: 700,
        idleTimeoutSeconds: 3,
        maxMessages: published,
        workDir: dir,
      },
      source,
      warehouse,
    );
    expect(stream.read).toBe(published);
    expect(stream.written).toBe(batch.summary.written);
    // A re-sent bad record is dead-lettered again (each delivery is a record that entered the job), not a duplicate.
    expect(stream.deadLettered).toBeGreaterThanOrEqual(batch.summary.deadLettered);
    expect(stream.deadLettered + stream.duplicates).toBe(
      batch.summary.deadLettered + batch.summary.duplicates + duplicatesPublished,
    );
    expect(unaccounted(stream)).toBe(0);
    const actual = await tables(warehouse);
    expect(actual.flights).toBe(batch.tables.flights);
    expect(actual.hourly).toBe(batch.tables.hourly);
  } finally {
    await warehouse.close();
    await source.close();
  }
}

test("batch and stream give identical events and windowed features (in-memory Pub/Sub)", async () => {
  await expectStreamMatchesBatch("memory", async (input) => {
    const pubsub = new MemoryPubSub();
    pubsub.createTopic("parity-events");
    pubsub.createSubscription(SUBSCRIPTION, "parity-events");
    const planned = [...planMessages(listInputFiles(input), PLAN)];
    pubsub.publish(
      "parity-events",
      planned.map((p) => p.message),
    );
    return {
      source: pubsub.source(SUBSCRIPTION),
      published: planned.length,
      duplicatesPublished: planned.filter((p) => p.duplicate).length,
    };
  });
});

itNeeds("pubsub-emulator")(
  "batch and stream give identical events and windowed features (Pub/Sub emulator)",
  async () => {
    await expectStreamMatchesBatch("emulator", async (input) => {
      const host = workspace.emulator!.host;
      const source = await openSubscription({
        host,
        project: "rox-test",
        subscription: "parity-sub",
        topic: "parity-events",
      });
      const published = await publishEvents({
        host,
        project: "rox-test",
        topic: "parity-events",
        from: input,
        ...PLAN,
      });
      return { source, published: published.published, duplicatesPublished: published.duplicatesPublished };
    });
  },
);
