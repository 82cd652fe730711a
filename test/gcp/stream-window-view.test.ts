/**
 * The streaming job's window table on BigQuery: a view (`windowViewSql`) over the one-event partials the job appends.
 * On the BigQuery emulator, the view `prepareStreamWindows` creates over the partials of the same events gives the
 * local merge's rows, a late event updates its window, and a re-sent id counts once.
 */
import { windowPartialsSchema, windowPartialsTableName } from "../../pipelines/dataflow/window-partials";
import { prepareStreamWindows, StreamWindowTableError } from "../../pipelines/dataflow/prepare-stream-windows";
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
    "the duplicates tally counts the copies of re-sent ids among the run's events only",
    async () => {
      const emulator = bq.emulator!;
      const dataset = `${emulator.projectId}.rox_stream_duplicates`;
      const [tally] = await inEmulatorDataset(emulator, "rox_stream_duplicates", async (warehouse) => {
        await warehouse.query(`CREATE SCHEMA IF NOT EXISTS \`${dataset}\``);
        await warehouse.query(`CREATE TABLE \`${dataset}.flights\` (event_id STRING, _run_id STRING)`);
        const rows = [
          ["a", "r1"],
          ["a", "r1"],
          ["a", "r1"],
          ["b", "r1"],
          ["b", "r0"],
          ["c", "r0"],
          ["c", "r0"],
        ];
        const values = rows.map(([id, run]) => `('${id}', '${run}')`).join(", ");
        await warehouse.query(`INSERT INTO \`${dataset}.flights\` (event_id, _run_id) VALUES ${values}`);
        return warehouse.query(streamDuplicatesSql(dataset, contract, "r1"));
      });
      expect(Number(tally.duplicates)).toBe(2);
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
