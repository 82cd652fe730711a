/**
 * The streaming job's window table on BigQuery: a view (`windowViewSql`) over the one-event partials the job appends.
 * On the BigQuery emulator, the view `prepareStreamWindows` creates over the partials of the same events gives the
 * local merge's rows, a late event updates its window, and a re-sent id counts once. The events table is a view of the
 * first copies of the appended events, and the duplicates tally counts a run's re-sent copies.
 */
import { windowPartialsSchema, windowPartialsTableName } from "../../pipelines/dataflow/window-partials";
import {
  prepareStreamDataset,
  prepareStreamWindows,
  StreamDatasetMissingError,
  StreamWindowTableError,
} from "../../pipelines/dataflow/prepare-stream-windows";
import { streamDuplicatesSql } from "../../pipelines/dataflow/stream-run-summary";
import type { BigQueryWarehouse } from "../../io/gcp/bigquery/bigquery-warehouse";
import { inEmulatorDataset, useBigQueryEmulator } from "../support/bigquery-emulator";
import { itNeeds } from "../support/prerequisites";
import { byWindow, contract, late, localRows, onTime, partialFor, window } from "../transforms/window-fold-cases";

const bq = useBigQueryEmulator();
const DATASET = "rox_stream_windows";

async function appendPartials(warehouse: BigQueryWarehouse, table: string, rows: Record<string, unknown>[]) {
  const fields = windowPartialsSchema(contract, window).fields;
  const literal = (value: unknown, type: string) =>
    value === null
      ? "NULL"
      : type === "TIMESTAMP"
        ? `TIMESTAMP '${String(value)}'`
        : type === "STRING"
          ? `'${String(value)}'`
          : String(value);
  const values = rows.map((row) => `(${fields.map((f) => literal(row[f.name], f.type)).join(", ")})`);
  await warehouse.query(`INSERT INTO ${table} (${fields.map((f) => f.name).join(", ")}) VALUES ${values.join(", ")}`);
}

describe("the stream's window view on the BigQuery emulator", () => {
  itNeeds("bigquery-emulator")(
    "folds the partials into the local merge's rows; a late event updates its window; a re-sent id counts once",
    async () => {
      const emulator = bq.emulator!;
      const dataset = `${emulator.projectId}.${DATASET}`;
      const partials = `\`${dataset}.${windowPartialsTableName(contract, window)}\``;
      const rows = await inEmulatorDataset(emulator, DATASET, async (warehouse) => {
        await warehouse.query(`CREATE SCHEMA IF NOT EXISTS \`${dataset}\``);
        const query = (sql: string) => warehouse.query(sql);
        await prepareStreamWindows(query, dataset, contract);
        await prepareStreamWindows(query, dataset, contract); // again: idempotent
        await appendPartials(warehouse, partials, onTime.map(partialFor));
        // Later: the late event, and the first event re-sent under its id.
        await appendPartials(warehouse, partials, [late, onTime[0]].map(partialFor));
        return warehouse.query(`SELECT * FROM \`${dataset}.flights_origin_hourly\``);
      });
      expect(rows.map(normalized).sort(byWindow)).toStrictEqual(localRows().sort(byWindow));
    },
    120_000,
  );

  itNeeds("bigquery-emulator")(
    "a window table that is a table (a batch or local run's) is refused, not replaced",
    async () => {
      const emulator = bq.emulator!;
      const dataset = `${emulator.projectId}.rox_batch_windows`;
      await inEmulatorDataset(emulator, "rox_batch_windows", async (warehouse) => {
        await warehouse.query(`CREATE SCHEMA IF NOT EXISTS \`${dataset}\``);
        await warehouse.query(`CREATE TABLE \`${dataset}.flights_origin_hourly\` (origin STRING)`);
        const prepare = prepareStreamWindows((sql) => warehouse.query(sql), dataset, contract);
        await expect(prepare).rejects.toThrow(StreamWindowTableError);
        await expect(prepare).rejects.toThrow(`${dataset}.flights_origin_hourly is a table`);
      });
    },
    120_000,
  );

  itNeeds("bigquery-emulator")(
    "the submission's prepare (the dataset must exist): the events table is the view of first copies; the tally " +
      "counts a run's re-sent copies",
    async () => {
      const emulator = bq.emulator!;
      const name = "rox_stream_events";
      const dataset = `${emulator.projectId}.${name}`;
      const parameters = { project: emulator.projectId, dataset: name, schema: "flights" };
      const prepare = () => prepareStreamDataset(parameters, { apiEndpoint: emulator.apiEndpoint });
      await expect(prepare()).rejects.toThrow(StreamDatasetMissingError);
      await expect(prepare()).rejects.toThrow(`dataset ${dataset} does not exist`);
      const { events, tally, tables } = await inEmulatorDataset(emulator, name, async (warehouse) => {
        await warehouse.query(`CREATE SCHEMA \`${dataset}\``);
        await prepare();
        await prepare(); // again: idempotent
        // [id, run, ingested second]: `a` first in r0, re-sent twice in r1; `b` re-sent once in r1; `c` once.
        const appended = [
          ["a", "r0", 1],
          ["b", "r1", 2],
          ["a", "r1", 3],
          ["c", "r1", 4],
          ["b", "r1", 5],
          ["a", "r1", 6],
        ];
        const values = appended.map(
          ([id, run, second]) =>
            `('${id}', TIMESTAMP '2001-01-02 10:00:00', 5, 100, 'LAS', 'SFO', 'test', '${run}', ` +
            `TIMESTAMP '2001-01-02 12:00:0${second}')`,
        );
        await warehouse.query(
          `INSERT INTO \`${dataset}.flights__appended\` ` +
            "(event_id, date, delay, distance, origin, destination, _source, _run_id, _ingested_at) " +
            `VALUES ${values.join(", ")}`,
        );
        return {
          events: await warehouse.query(`SELECT event_id, _run_id FROM \`${dataset}.flights\` ORDER BY event_id`),
          tally: (await warehouse.query(streamDuplicatesSql(dataset, contract, "r1")))[0],
          tables: await warehouse.query(
            `SELECT table_name, table_type FROM \`${dataset}\`.INFORMATION_SCHEMA.TABLES ORDER BY table_name`,
          ),
        };
      });
      expect(events).toStrictEqual([
        { event_id: "a", _run_id: "r0" },
        { event_id: "b", _run_id: "r1" },
        { event_id: "c", _run_id: "r1" },
      ]);
      expect(Number(tally.duplicates)).toBe(3);
      expect(tables).toStrictEqual([
        { table_name: "dead_letters", table_type: "BASE TABLE" },
        { table_name: "flights", table_type: "VIEW" },
        { table_name: "flights__appended", table_type: "BASE TABLE" },
        { table_name: "flights_origin_hourly", table_type: "VIEW" },
        { table_name: "flights_origin_hourly__partials", table_type: "BASE TABLE" },
        { table_name: "job_runs", table_type: "BASE TABLE" },
      ]);
    },
    120_000,
  );

  itNeeds("bigquery-emulator")(
    "an events table that is a table (a batch or local run's) is refused, not replaced",
    async () => {
      const emulator = bq.emulator!;
      const name = "rox_batch_events";
      await inEmulatorDataset(emulator, name, async (warehouse) => {
        await warehouse.query(`CREATE SCHEMA IF NOT EXISTS \`${emulator.projectId}.${name}\``);
        await warehouse.query(`CREATE TABLE \`${emulator.projectId}.${name}.flights\` (event_id STRING)`);
      });
      const parameters = { project: emulator.projectId, dataset: name, schema: "flights" };
      await expect(prepareStreamDataset(parameters, { apiEndpoint: emulator.apiEndpoint })).rejects.toThrow(
        `${emulator.projectId}.${name}.flights is a table`,
      );
    },
    120_000,
  );
});

/** The emulator's JSON values as the local merge writes them: ISO timestamps, numbers. */
function normalized(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (["window_start", "window_end", "_updated_at"].includes(name)) out[name] = new Date(String(value)).toISOString();
    else out[name] = typeof value === "string" && name !== "origin" ? Number(value) : value;
  }
  return out;
}
