import * as fs from "fs";
import * as path from "path";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { readJsonLines } from "../../io/files/json-lines";
import { main } from "../../launcher/main";
import { injectFaults } from "../../tools/sample/faults";
import { writeFlightSample } from "../../tools/sample/flights";
import { useBigQueryEmulator } from "../support/bigquery-emulator";
import { itNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { stageAsDataflowRun } from "../support/dataflow-run-stage";

// `rox jobs finalize` on the command line, against bqemulator holding what a Dataflow batch run staged.
const bq = useBigQueryEmulator();
const DATASET = "rox_finalize_cli";
const RUN_ID = "20010103t020000-0a1b2c";
let work: ReturnType<typeof tempDir>;
let input: string;
let rows = 0;
let badRecords = 0;

beforeAll(async () => {
  work = tempDir("jobs-finalize");
  input = path.join(work.dir, "events");
  rows = (
    await writeFlightSample({
      outDir: input,
      format: "jsonl",
      by: "day",
      from: "2001-01-02",
      to: "2001-01-03",
      limit: 800,
    })
  ).rows;
  const faults = injectFaults([...readJsonLines(path.join(input, "flights-2001-01-02.jsonl"))].slice(0, 20), 2);
  badRecords = faults.filter((f) => f.expect !== "duplicate").length;
  fs.writeFileSync(path.join(input, "faults.jsonl"), faults.map((f) => f.line).join("\n") + "\n");
}, 60_000);
afterAll(() => work?.cleanup());

const summaryFile = () => path.join(work.dir, "summary.json");
const finalize = (...extra: string[]) =>
  main([
    "jobs",
    "finalize",
    "--run-id",
    RUN_ID,
    "--schema",
    "flights",
    "--project",
    bq.emulator!.projectId,
    "--dataset",
    DATASET,
    "--bigquery-endpoint",
    bq.emulator!.apiEndpoint,
    ...extra,
  ]);

itNeeds("bigquery-emulator")(
  "finalize lands the run, prints and writes its summary; a second finalize of the run is refused (exit 3)",
  async () => {
    const target = { projectId: bq.emulator!.projectId, dataset: DATASET, apiEndpoint: bq.emulator!.apiEndpoint };
    await stageAsDataflowRun({
      target,
      runId: RUN_ID,
      input,
      dir: path.join(work.dir, "run"),
      nowMs: Date.parse("2001-01-04T00:00:00Z"),
    });
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    const error = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(await finalize("--summary", summaryFile())).toBe(0);
      expect(String(log.mock.calls[0][0])).toMatch(
        new RegExp(`^job +batch \\(run ${RUN_ID}, schema flights\\)[\\s\\S]*reconciles +yes`),
      );
      const summary = JSON.parse(fs.readFileSync(summaryFile(), "utf8"));
      expect(summary).toMatchObject({
        job: "batch",
        runId: RUN_ID,
        read: rows + badRecords,
        written: rows,
        deadLettered: badRecords,
        duplicates: 0,
      });
      expect(await finalize()).toBe(3);
      expect(String(error.mock.calls.at(-1)?.[0])).toMatch(/^rox: no staging tables of the run in .*finalized already/);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
    const warehouse = await BigQueryWarehouse.open(target);
    try {
      const [counts] = await warehouse.query(
        "SELECT (SELECT count(*) FROM flights) AS events, (SELECT count(*) FROM dead_letters) AS dead, (SELECT sum(flights) FROM flights_origin_hourly) AS windowed",
      );
      expect(Object.values(counts).map(Number)).toStrictEqual([rows, badRecords, rows]);
      const [run] = await warehouse.query(`SELECT written, status FROM job_runs WHERE runId = '${RUN_ID}'`);
      expect([Number(run.written), run.status]).toStrictEqual([rows, "finished"]); // the run has ended
    } finally {
      await warehouse.close();
    }
  },
  300_000,
);

test.each([
  [["--schema", "flights", "--project", "p", "--dataset", "d"], "missing --run-id"],
  [["--run-id", "r", "--schema", "flights", "--project", "p"], "--warehouse bigquery needs --dataset"],
  [
    ["--run-id", "r", "--schema", "flights", "--project", "p", "--dataset", "d", "--warehouse", "x.duckdb"],
    "--warehouse can only be bigquery",
  ],
])("%j is refused with exit 2: %s", async (args, message) => {
  const error = jest.spyOn(console, "error").mockImplementation(() => undefined);
  try {
    expect(await main(["jobs", "finalize", ...args])).toBe(2);
    expect(String(error.mock.calls[0][0])).toContain(message);
  } finally {
    error.mockRestore();
  }
});
