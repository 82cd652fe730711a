import * as fs from "fs";
import * as path from "path";
import { BigQueryJobs } from "../../io/gcp/bigquery/bigquery-client";
import { runStageTables } from "../../io/gcp/bigquery/bigquery-run-stage";
import { col, tableRef } from "../../io/gcp/bigquery/bigquery-sql";
import { deadLettersSpec, eventsSpec, windowSpec } from "../../io/gcp/bigquery/bigquery-tables";
import { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { readJsonLines } from "../../io/files/json-lines";
import { InputError } from "../../io/errors";
import { injectFaults } from "../../tools/sample/faults";
import { writeFlightSample } from "../../tools/sample/flights";
import { runBatchJob } from "../../pipelines/batch-job";
import { finalizeDataflowBatch } from "../../pipelines/dataflow/finalize-batch";
import type { BigQueryField } from "../../schemas/bigquery";
import { loadContract } from "../../schemas/load";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { useBigQueryEmulator } from "../support/bigquery-emulator";
import { itNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";
import { stageAsDataflowRun } from "../support/dataflow-run-stage";

// A Dataflow batch run leaves its events and dead letters in `<table>__run_<id>` staging tables; finalizing must land
// them exactly as the local batch job lands the same input. The rows such a run stages are made by the shared ingest
// steps on the DirectRunner (see `stageAsDataflowRun`). The tests run in order: each builds on the previous one's tables.
const bq = useBigQueryEmulator();
const LOCAL = "rox_local";
const CLOUD = "rox_dataflow";
const DAYS = ["2001-02-10", "2001-02-11"];
/** Both jobs run at this instant: the validation bound `now+1d` lands in dead letters' messages. */
const NOW = Date.parse("2001-02-12T06:00:00Z");
const contract = loadContract("flights");
const WINDOW = contract.features!.windows[0];
const WINDOW_TABLE = `${contract.table}_${WINDOW.name}`;
let work: ReturnType<typeof tempDir>;
let input: string;
const rowsByDay: Record<string, number> = {};
let rows = 0;
let badRecords = 0;
let local: JobSummary;
let first: JobSummary;

beforeAll(async () => {
  work = tempDir("finalize");
  input = path.join(work.dir, "events");
  for (const [i, day] of DAYS.entries()) {
    const sample = await writeFlightSample({
      outDir: input,
      format: "jsonl",
      by: "day",
      from: day,
      to: `2001-02-1${i + 1}`,
      limit: 1500,
    });
    rowsByDay[day] = sample.rows;
    rows += sample.rows;
  }
  const faults = injectFaults([...readJsonLines(path.join(input, `flights-${DAYS[0]}.jsonl`))].slice(0, 30), 4);
  badRecords = faults.filter((f) => f.expect !== "duplicate").length;
  fs.writeFileSync(path.join(input, "faults.jsonl"), faults.map((f) => f.line).join("\n") + "\n");
}, 60_000);
afterAll(() => work?.cleanup());

const emulatorTarget = (dataset: string) => ({
  projectId: bq.emulator!.projectId,
  dataset,
  apiEndpoint: bq.emulator!.apiEndpoint,
});

async function inDataset<T>(dataset: string, use: (warehouse: BigQueryWarehouse) => Promise<T>): Promise<T> {
  const warehouse = await BigQueryWarehouse.open(emulatorTarget(dataset));
  try {
    return await use(warehouse);
  } finally {
    await warehouse.close();
  }
}

/** What a Dataflow batch run over `inputPattern` stages; returns the in-run duplicates it drops. */
const stageRun = (runId: string, inputPattern: string) =>
  stageAsDataflowRun({
    target: emulatorTarget(CLOUD),
    runId,
    input: inputPattern,
    dir: path.join(work.dir, `run-${runId}`),
    nowMs: NOW,
  });

const finalize = (runId: string, replace = false) =>
  inDataset(CLOUD, (warehouse) =>
    finalizeDataflowBatch({ schema: "flights", runId, replace, workDir: work.dir }, warehouse),
  );

/** Every column but those naming the run or the moment it ran, in a stable order. */
function rowsSql(dataset: string, table: string, fields: BigQueryField[], orderBy: string[]): string {
  const volatile = new Set(["_run_id", "_ingested_at", "_updated_at", "timestamp", "runId", "jobName"]);
  const columns = fields.filter((f) => !volatile.has(f.name)).map((f) => col(f.name));
  return `SELECT ${columns.join(", ")} FROM ${tableRef({ projectId: bq.emulator!.projectId, dataset }, table)} ORDER BY ${orderBy.map(col).join(", ")}`;
}

const TABLES: [string, BigQueryField[], string[]][] = [
  [contract.table, eventsSpec(contract).fields, [contract.idField]],
  ["dead_letters", deadLettersSpec().fields, ["sourceUri", "sourceLine", "errorClass"]],
  [WINDOW_TABLE, windowSpec(contract, WINDOW).fields, [WINDOW.key, "window_start"]],
];

const count = (warehouse: BigQueryWarehouse, sql: string) =>
  warehouse.query(sql).then(([row]) => Number(Object.values(row)[0]));

const test_ = itNeeds("bigquery-emulator");

test_(
  "a finalized run lands what the local batch job lands: the same events, dead letters, window rows and counts",
  async () => {
    local = await inDataset(LOCAL, (warehouse) =>
      runBatchJob({ input, schema: "flights", workDir: work.dir, now: () => NOW }, warehouse),
    );
    const inRunDuplicates = await stageRun("20010212t000000-aaaaaa", input);
    first = await finalize("20010212t000000-aaaaaa");

    await inDataset(CLOUD, async (warehouse) => {
      for (const [table, fields, orderBy] of TABLES) {
        const [mine, theirs] = [
          await warehouse.query(rowsSql(CLOUD, table, fields, orderBy)),
          await warehouse.query(rowsSql(LOCAL, table, fields, orderBy)),
        ];
        expect({ table, rows: mine.length }).toStrictEqual({ table, rows: theirs.length });
        expect(mine).toStrictEqual(theirs);
      }
      const [run] = await warehouse.query(
        `SELECT runId, job, \`read\`, written, deadLettered, duplicates FROM job_runs`,
      );
      expect(run).toStrictEqual({
        runId: first.runId,
        job: "batch",
        read: first.read,
        written: first.written,
        deadLettered: first.deadLettered,
        duplicates: first.duplicates,
      });
      const staging = await BigQueryJobs.connect(emulatorTarget(CLOUD));
      for (const table of Object.values(runStageTables(contract.table, first.runId)))
        expect(await staging.tableExists(table)).toBe(false);
    });
    // In-run duplicates never reach a staging table: the one difference from the local summary, and it is documented.
    expect(inRunDuplicates).toBe(4);
    const { "duplicate/in_batch": inBatch, ...localReasons } = local.byReason;
    expect(inBatch).toBe(inRunDuplicates);
    expect(first).toMatchObject({
      read: local.read - inRunDuplicates,
      written: local.written,
      deadLettered: local.deadLettered,
      duplicates: local.duplicates - inRunDuplicates,
    });
    expect(first.byTable).toStrictEqual(local.byTable);
    expect(first.byReason).toStrictEqual(localReasons);
    expect(first).toMatchObject({ written: rows, deadLettered: badRecords });
    expect(unaccounted(first)).toBe(0);
  },
  300_000,
);

test_(
  "finalizing a second run of the same input adds nothing; a finalized run cannot be finalized again",
  async () => {
    await stageRun("20010212t010000-bbbbbb", input);
    const before = await inDataset(CLOUD, (warehouse) =>
      Promise.all(TABLES.map(([t, f, o]) => warehouse.query(rowsSql(CLOUD, t, f, o)))),
    );
    const second = await finalize("20010212t010000-bbbbbb");
    expect(second).toMatchObject({ read: rows + badRecords, written: 0, duplicates: rows, deadLettered: badRecords });
    expect(second.byTable).toStrictEqual({ flights: 0, dead_letters: 0, [WINDOW_TABLE]: 0 });
    expect(second.byReason["duplicate/in_warehouse"]).toBe(rows);
    expect(unaccounted(second)).toBe(0);
    await inDataset(CLOUD, async (warehouse) => {
      expect(await Promise.all(TABLES.map(([t, f, o]) => warehouse.query(rowsSql(CLOUD, t, f, o))))).toStrictEqual(
        before,
      );
      expect(await count(warehouse, "SELECT count(*) FROM job_runs")).toBe(2);
    });
    await expect(finalize("20010212t010000-bbbbbb")).rejects.toThrow(InputError);
    await expect(finalize("20010212t010000-bbbbbb")).rejects.toThrow(
      /no staging tables of the run .*finalized already/,
    );
  },
  300_000,
);

test_(
  "--replace rewrites exactly the days the run touched",
  async () => {
    const [touched, untouched] = DAYS;
    const dayRows = (day: string) =>
      `SELECT * FROM ${WINDOW_TABLE} WHERE DATE(window_start) = '${day}' ORDER BY ${WINDOW.key}, window_start`;
    const untouchedBefore = await inDataset(CLOUD, (warehouse) => warehouse.query(dayRows(untouched)));
    await stageRun("20010212t020000-cccccc", path.join(input, `flights-${touched}.jsonl`));
    const replaced = await finalize("20010212t020000-cccccc", true);
    expect(replaced).toMatchObject({
      read: rowsByDay[touched],
      written: rowsByDay[touched],
      duplicates: 0,
      deadLettered: 0,
    });
    await inDataset(CLOUD, async (warehouse) => {
      const byRun = await warehouse.query(
        "SELECT _run_id AS run, CAST(DATE(`date`) AS STRING) AS day, count(*) AS n FROM flights GROUP BY 1, 2 ORDER BY 2",
      );
      expect(byRun.map((r) => ({ ...r, n: Number(r.n) }))).toStrictEqual([
        { run: "20010212t020000-cccccc", day: touched, n: rowsByDay[touched] },
        { run: first.runId, day: untouched, n: rowsByDay[untouched] },
      ]);
      expect(await warehouse.query(dayRows(untouched))).toStrictEqual(untouchedBefore);
      expect(await count(warehouse, `SELECT sum(flights) FROM ${WINDOW_TABLE}`)).toBe(rows);
      expect(await count(warehouse, "SELECT count(*) FROM dead_letters")).toBe(badRecords);
      const [mine, theirs] = [
        await warehouse.query(rowsSql(CLOUD, WINDOW_TABLE, TABLES[2][1], TABLES[2][2])),
        await warehouse.query(rowsSql(LOCAL, WINDOW_TABLE, TABLES[2][1], TABLES[2][2])),
      ];
      expect(mine).toStrictEqual(theirs);
    });
  },
  300_000,
);
