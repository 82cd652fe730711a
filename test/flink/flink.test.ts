/**
 * The portable graphs on a real Flink (Beam's Flink job server from scripts/setup-beam.sh flink, an embedded cluster
 * with 2 task slots, jobs at parallelism 2), compared with the DirectRunner on the same input:
 * - batch: real flights of one day (a slice, to stay small on a shared 2-core machine) plus injected faults, from
 *   local files → the local warehouse;
 * - stream: the same records published to the Pub/Sub emulator, read by Java's PubsubIO (EMBEDDED in Flink's JVM,
 *   no Docker) with the TypeScript stages in LOOPBACK workers of this process → the local warehouse.
 * Skipped, with the reason printed, without Java or the job server.
 */
import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { runFlinkJob } from "../../pipelines/flink/flink-job";
import { startFlinkJobServer, type FlinkJobServer } from "../../pipelines/flink/job-server";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { writeFlightSample } from "../../tools/sample/flights";
import { injectFaults } from "../../tools/sample/faults";
import { readJsonLines } from "../../io/files/json-lines";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { tempDir } from "../support/temp";
import { unmet } from "../support/prerequisites";

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
let server: FlinkJobServer;
let faultCount = 0;

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

/** Flink's own log names each parallel subtask `(i/n)`: the stages really ran `n` wide. */
function subtasksSeen(log: string): string[] {
  return [
    ...new Set(
      [...log.matchAll(/\((\d+)\/(\d+)\)#\d+ \([0-9a-f]+\) switched from DEPLOYING to INITIALIZING/g)].map(
        (m) => `${m[1]}/${m[2]}`,
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
