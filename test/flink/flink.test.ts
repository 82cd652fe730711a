/**
 * The portable graphs on a real Flink (Beam's Flink job server from scripts/setup-beam.sh flink, an embedded cluster
 * with 2 task slots, jobs at parallelism 2), compared with the DirectRunner on the same input:
 * - batch: real flights of one day (a slice, to stay small on a shared 2-core machine) plus injected faults, from
 *   local files → the local warehouse;
 * - stream: a smaller slice of the same flights, three invalid records and two re-sent ids, published once to the
 *   Pub/Sub emulator and read through two subscriptions: the local streaming job on one, on the other the streaming
 *   graph on Flink, Java's PubsubIO (EMBEDDED in Flink's JVM, no Docker, `--pubsubRootUrl` = the emulator) feeding
 *   the TypeScript stages in LOOPBACK workers of this process → the local warehouse.
 * Skipped, with the reason printed, without Java or the job server.
 */
import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { runStreamJob } from "../../pipelines/stream-job";
import { stopWhenIdle } from "../../pipelines/flink/stop-when-idle";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { publishEvents } from "../../tools/publish/replay";
import { runFlinkJob } from "../../pipelines/flink/flink-job";
import { startFlinkJobServer, type FlinkJobServer } from "../../pipelines/flink/job-server";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { writeFlightSample } from "../../tools/sample/flights";
import { injectFaults } from "../../tools/sample/faults";
import { readJsonLines } from "../../io/files/json-lines";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { tempDir } from "../support/temp";
import { itNeeds, unmet } from "../support/prerequisites";
import { startTestEmulator, type TestEmulator } from "../support/pubsub-emulator";

const DAY = "2001-01-02";
const FLIGHTS_OF_THE_DAY = 1_200;
const PARALLELISM = 2;
/** Both runs on one clock: the `now+1d` bound of the event time is part of a dead letter's message. */
const now = () => Date.parse("2026-06-01T00:00:00Z");
const FLIGHTS = "SELECT * EXCLUDE (_source, _run_id, _ingested_at) FROM flights ORDER BY event_id";
const HOURLY = "SELECT * EXCLUDE (_updated_at) FROM flights_origin_hourly ORDER BY origin, window_start";
const DEAD =
  "SELECT errorStage, errorClass, errorMessage, payloadString, sourceLine, attempt FROM dead_letters ORDER BY ALL";

const skipReason = unmet("java", "flink-job-server", "beam-jar");
const flinkTest = skipReason ? test.skip : test;
const work = tempDir("flink");
const input = path.join(work.dir, "events");
const streamInput = path.join(work.dir, "stream-events");
let server: FlinkJobServer;
let faultCount = 0;
/** Flights of the streaming sample (published after its faults). */
const STREAMED_FLIGHTS = 60;
/**
 * The streaming sample's faults: records that fail validation but carry a valid `event_time` (Java's read cannot
 * dead-letter a message without one, docs/dataflow.md "Known limits"), and exact re-sends of earlier events.
 */
const STREAM_FAULTS = ["validate/missing_field", "validate/wrong_type", "validate/constraint.pattern", "duplicate"];
let resent = 0;
let streamLineCount = 0;

beforeAll(async () => {
  if (skipReason) return;
  const sample = await writeFlightSample({
    outDir: path.join(work.dir, "day"),
    format: "jsonl",
    by: "day",
    from: DAY,
    to: "2001-01-03",
  });
  const flights = [...readJsonLines(sample.files[0].path)].slice(0, FLIGHTS_OF_THE_DAY);
  fs.mkdirSync(input);
  fs.writeFileSync(path.join(input, `flights-${DAY}.jsonl`), flights.map((f) => JSON.stringify(f)).join("\n") + "\n");
  const faults = injectFaults(flights.slice(0, 30), 3);
  faultCount = faults.length;
  fs.writeFileSync(path.join(input, "faults.jsonl"), faults.map((f) => f.line).join("\n") + "\n");
  const streamed = flights.slice(0, STREAMED_FLIGHTS).map((f) => JSON.stringify(f));
  const streamFaults = injectFaults(flights.slice(0, 2), 2).filter((f) => STREAM_FAULTS.includes(f.expect));
  resent = streamFaults.filter((f) => f.expect === "duplicate").length;
  fs.mkdirSync(streamInput);
  const streamLines = [...streamed, ...streamFaults.map((f) => f.line)];
  streamLineCount = streamLines.length;
  fs.writeFileSync(path.join(streamInput, "flights.jsonl"), streamLines.join("\n") + "\n");
  server = await startFlinkJobServer({ slots: PARALLELISM, heapMb: 640, workDir: path.join(work.dir, "flink") });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  work.cleanup();
});

async function tables(file: string): Promise<Record<string, unknown[]>> {
  const warehouse = await DuckDbWarehouse.open(file);
  const rows = async (sql: string) =>
    JSON.parse(
      JSON.stringify(await warehouse.query(sql), (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    ) as unknown[];
  try {
    return { flights: await rows(FLIGHTS), hourly: await rows(HOURLY), dead: await rows(DEAD) };
  } finally {
    await warehouse.close();
  }
}

async function into<T>(file: string, run: (warehouse: DuckDbWarehouse) => Promise<T>): Promise<T> {
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    return await run(warehouse);
  } finally {
    await warehouse.close();
  }
}

function counts(summary: JobSummary) {
  const { read, written, deadLettered, duplicates, byReason } = summary;
  return { read, written, deadLettered, duplicates, byReason };
}

/** Flink's own log names each parallel subtask `(i/n)`: the stages (of those whose name has `stage`) ran `n` wide. */
function subtasksSeen(log: string, stage = ""): string[] {
  const lines = log.split("\n").filter((line) => line.includes(stage));
  return [
    ...new Set(
      lines.flatMap((line) =>
        [...line.matchAll(/\((\d+)\/(\d+)\)#\d+ \([0-9a-f]+\) switched from DEPLOYING to INITIALIZING/g)].map(
          (m) => `${m[1]}/${m[2]}`,
        ),
      ),
    ),
  ].sort();
}

flinkTest(
  "batch: the Dataflow graph on Flink gives the DirectRunner's tables and counts",
  async () => {
    const direct = await into(path.join(work.dir, "direct.duckdb"), (w) =>
      runBatchJob({ input, schema: "flights", workDir: work.dir, now }, w),
    );
    const flink = await into(path.join(work.dir, "flink.duckdb"), (w) =>
      runFlinkJob(
        "batch",
        {
          jobEndpoint: server.endpoint,
          parallelism: PARALLELISM,
          parameters: { schema: "flights", input },
          workDir: work.dir,
          now,
        },
        w,
      ),
    );
    expect(flink.read).toBe(FLIGHTS_OF_THE_DAY + faultCount);
    expect(counts(flink)).toStrictEqual(counts(direct));
    expect(unaccounted(flink)).toBe(0);
    expect(await tables(path.join(work.dir, "flink.duckdb"))).toStrictEqual(
      await tables(path.join(work.dir, "direct.duckdb")),
    );
    expect(subtasksSeen(fs.readFileSync(server.logFile, "utf8"))).toStrictEqual(["1/2", "2/2"]);
  },
  600_000,
);

/** A run that stages nothing this long has met the known reader stall (runs that work stage rows within ~40 s). */
const STALL_MS = 120_000;
const STALL_ATTEMPTS = 3;

/**
 * The known stall (docs/dataflow.md "Known limits": Java's Pub/Sub reader sometimes never pulls): a stalled run is
 * cancelled having read nothing, so the messages still wait; the job runs again on a fresh job server (a second job
 * on the server that cancelled the stalled one ended FAILED), each retry said on stderr, at most STALL_ATTEMPTS runs.
 */
async function withStallRetries<T>(run: () => Promise<T>, freshServer: (name: string) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const stalled = err instanceof Error && /staged no row/.test(err.message);
      if (!stalled || attempt >= STALL_ATTEMPTS) throw err;
      process.stderr.write(
        `flink.test: ${err.message}; the known reader stall: attempt ${attempt + 1} on a fresh server\n`,
      );
      await freshServer(`flink-stream-${attempt + 1}`);
    }
  }
}

function nothingStagedAfter(ms: number): Promise<never> {
  return new Promise((_resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Flink stream staged no row within ${ms / 1000} s`)), ms);
    timer.unref();
  });
}

describe("stream", () => {
  const project = "rox-test";
  const topic = "flink-parity";
  let emulator: TestEmulator | undefined;
  beforeAll(async () => {
    if (unmet("java", "flink-job-server", "beam-jar", "pubsub-emulator")) return;
    emulator = await startTestEmulator(path.join(work.dir, "emulator.json"));
    // A job server (JVM) of its own for the stream, as `rox stream --runner flink` starts one per run. The stream is
    // flaky: in 2 of 13 runs its Pub/Sub reader never pulled (docs/dataflow.md "Known limits").
    await freshStreamServer("flink-stream");
  }, 180_000);
  const freshStreamServer = async (name: string) => {
    await server.stop();
    server = await startFlinkJobServer({ slots: PARALLELISM, heapMb: 640, workDir: path.join(work.dir, name) });
  };
  afterAll(async () => emulator?.stop());

  itNeeds(
    "java",
    "flink-job-server",
    "beam-jar",
    "pubsub-emulator",
  )(
    "stream: Pub/Sub emulator → Flink (Java PubsubIO embedded, parallelism 2) gives the local stream job's tables",
    async () => {
      const host = emulator!.host;
      const subscription = (name: string) => `projects/${project}/subscriptions/${name}`;
      // Both subscriptions exist before the one publish: each receives every message, with the same message ids.
      const local = await openSubscription({ host, project, subscription: "flink-parity-local", topic });
      await openSubscription({ host, project, subscription: "flink-parity-flink", topic });
      const published = await publishEvents({ host, project, topic, from: streamInput, duplicates: 0 });
      expect(published.published).toBe(streamLineCount);

      const direct = await into(path.join(work.dir, "stream-direct.duckdb"), (w) =>
        runStreamJob(
          {
            schema: "flights",
            subscription: subscription("flink-parity-local"),
            maxMessages: published.published,
            idleTimeoutSeconds: 5,
            workDir: work.dir,
            now,
          },
          local,
          w,
        ),
      );
      const runOnFlink = () =>
        into(path.join(work.dir, "stream-flink.duckdb"), (w) =>
          runFlinkJob(
            "stream",
            {
              jobEndpoint: server.endpoint,
              restUrl: server.restUrl,
              parallelism: PARALLELISM,
              pipelineOptions: { pubsubRootUrl: `http://${host}` },
              parameters: { schema: "flights", subscription: subscription("flink-parity-flink") },
              // Stops once the staged rows have not grown for 15 s: the subscription has been drained. Fails (instead
              // of waiting for jest's timeout) when no row has been staged after STALL_MS.
              stop: (dir) => Promise.race([stopWhenIdle(dir, 15_000), nothingStagedAfter(STALL_MS)]),
              workDir: work.dir,
              now,
            },
            w,
          ),
        );
      const flink = await withStallRetries(runOnFlink, freshStreamServer);

      expect(direct.read).toBe(published.published);
      expect(direct.duplicates).toBe(resent);
      // On Flink Java's Pub/Sub read passes a re-sent id on (docs/dataflow.md "Flink"): the graph reads it, and the
      // landing counts it as a duplicate, as the local job does. `read` is Flink's own counter (its REST API).
      expect(counts(flink)).toStrictEqual(counts(direct));
      expect(unaccounted(flink)).toBe(0);
      expect(unaccounted(direct)).toBe(0);
      expect(await tables(path.join(work.dir, "stream-flink.duckdb"))).toStrictEqual(
        await tables(path.join(work.dir, "stream-direct.duckdb")),
      );
      expect(subtasksSeen(fs.readFileSync(server.logFile, "utf8"), "decodePubsubMessage")).toStrictEqual([
        "1/2",
        "2/2",
      ]);
    },
    600_000,
  );
});
