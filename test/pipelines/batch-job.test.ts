import * as fs from "fs";
import * as path from "path";
import { runBatchJob } from "../../pipelines/batch-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { writeFlightSample } from "../../tools/sample/flights";
import { injectFaults } from "../../tools/sample/faults";
import { readJsonLines } from "../../io/files/json-lines";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { tempDir } from "../support/temp";

// Real flights of one day, plus a file of faulty copies of them: every record must land in exactly one place.
const DAY = "2001-01-03";
let work: ReturnType<typeof tempDir>;
let input: string;
let realRows: number;
let faults: ReturnType<typeof injectFaults>;

beforeAll(async () => {
  work = tempDir("batch-job");
  input = path.join(work.dir, "events");
  const sample = await writeFlightSample({ outDir: input, format: "jsonl", by: "day", from: DAY, to: "2001-01-04" });
  realRows = sample.rows;
  const events = [...readJsonLines(sample.files[0].path)].slice(0, 40);
  faults = injectFaults(events, 4);
  fs.writeFileSync(path.join(input, "faults.jsonl"), faults.map((f) => f.line).join("\n") + "\n\n");
});
afterAll(() => work.cleanup());

async function runInto(
  file: string,
  options: { replace?: boolean; chunkBytes?: number } = {},
): Promise<{ summary: JobSummary; warehouse: DuckDbWarehouse }> {
  const warehouse = await DuckDbWarehouse.open(file);
  const summary = await runBatchJob({ input, schema: "flights", workDir: work.dir, ...options }, warehouse);
  return { summary, warehouse };
}

async function scalar(warehouse: DuckDbWarehouse, sql: string): Promise<number> {
  const [row] = await warehouse.query(sql);
  return Number(Object.values(row)[0]);
}

function expectedReasons(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of faults.filter((f) => f.expect !== "duplicate")) out[f.expect] = (out[f.expect] ?? 0) + 1;
  return out;
}

describe("batch job on real flights with injected faults", () => {
  test("every record ends in exactly one place, and the counts reconcile", async () => {
    const { summary, warehouse } = await runInto(path.join(work.dir, "first.duckdb"));
    try {
      const bad = faults.filter((f) => f.expect !== "duplicate").length;
      expect(summary.read).toBe(realRows + faults.length);
      expect(summary.written).toBe(realRows);
      expect(summary.deadLettered).toBe(bad);
      expect(summary.duplicates).toBe(4);
      expect(unaccounted(summary)).toBe(0);
      const { "duplicate/in_batch": inRun, ...deadReasons } = summary.byReason;
      expect(inRun).toBe(4);
      expect(deadReasons).toStrictEqual(expectedReasons());
      expect(await scalar(warehouse, "SELECT count(*) FROM flights")).toBe(realRows);
      expect(await scalar(warehouse, "SELECT count(DISTINCT event_id) FROM flights")).toBe(realRows);
      expect(await scalar(warehouse, "SELECT count(*) FROM dead_letters")).toBe(bad);
      expect(
        await scalar(
          warehouse,
          "SELECT count(*) FROM dead_letters WHERE payloadString IS NULL OR sourceUri IS NULL OR sourceLine IS NULL OR runId IS NULL",
        ),
      ).toBe(0);
      const [run] = await warehouse.query(
        `SELECT "read", written, "deadLettered", duplicates FROM job_runs WHERE "runId" = '${summary.runId}'`,
      );
      expect(Object.values(run).map(Number)).toStrictEqual([
        summary.read,
        summary.written,
        summary.deadLettered,
        summary.duplicates,
      ]);
    } finally {
      await warehouse.close();
    }
  });

  test("a rerun of the same input adds nothing and counts everything as duplicates or dead letters", async () => {
    const file = path.join(work.dir, "rerun.duckdb");
    (await runInto(file)).warehouse.close();
    const { summary, warehouse } = await runInto(file);
    try {
      expect(summary.written).toBe(0);
      expect(summary.duplicates).toBe(realRows + 4);
      expect(summary.byReason["duplicate/in_warehouse"]).toBe(realRows);
      expect(unaccounted(summary)).toBe(0);
      expect(await scalar(warehouse, "SELECT count(*) FROM flights")).toBe(realRows);
      expect(await scalar(warehouse, "SELECT count(*) FROM dead_letters")).toBe(summary.deadLettered);
      expect(await scalar(warehouse, "SELECT sum(flights) FROM flights_origin_hourly")).toBe(realRows);
    } finally {
      await warehouse.close();
    }
  });

  test("--replace rewrites the partitions the input covers", async () => {
    const file = path.join(work.dir, "replace.duckdb");
    (await runInto(file)).warehouse.close();
    const { summary, warehouse } = await runInto(file, { replace: true });
    try {
      expect(summary.written).toBe(realRows);
      expect(unaccounted(summary)).toBe(0);
      expect(await scalar(warehouse, "SELECT count(*) FROM flights")).toBe(realRows);
      expect(await scalar(warehouse, `SELECT count(*) FROM flights WHERE _run_id = '${summary.runId}'`)).toBe(realRows);
      expect(await scalar(warehouse, "SELECT sum(flights) FROM flights_origin_hourly")).toBe(realRows);
    } finally {
      await warehouse.close();
    }
  });

  test("windowed features equal the same aggregates computed with SQL over the raw input", async () => {
    const { warehouse } = await runInto(path.join(work.dir, "windows.duckdb"), { chunkBytes: 256 << 10 });
    try {
      const raw = path.join(input, `flights-${DAY}.jsonl`);
      const independent = `
        SELECT origin, time_bucket(INTERVAL 1 HOUR, CAST(date AS TIMESTAMPTZ)) AS window_start, count(*) AS flights,
               avg(delay) AS mean_delay, max(delay) AS max_delay, avg(CASE WHEN delay > 15 THEN 1 ELSE 0 END) AS delayed_share
        FROM read_json('${raw}', columns = {date: 'VARCHAR', delay: 'INTEGER', origin: 'VARCHAR'}) GROUP BY ALL`;
      const differences = await scalar(
        warehouse,
        `
        SELECT count(*) FROM (${independent}) r FULL OUTER JOIN flights_origin_hourly w USING (origin, window_start)
        WHERE w.flights IS DISTINCT FROM r.flights OR w.max_delay IS DISTINCT FROM r.max_delay
           OR abs(w.mean_delay - r.mean_delay) > 1e-9 OR abs(w.delayed_share - r.delayed_share) > 1e-9
           OR w.window_end IS DISTINCT FROM r.window_start + INTERVAL 1 HOUR`,
      );
      expect(differences).toBe(0);
      expect(await scalar(warehouse, "SELECT count(*) FROM flights_origin_hourly")).toBeGreaterThan(100);
    } finally {
      await warehouse.close();
    }
  });
});
