/**
 * The streaming job's window table on BigQuery: a view (`windowViewSql`) over the one-event partials the job appends.
 * On the BigQuery emulator, the view over the partials of the same events gives the local merge's rows, a late event
 * updates its window, and a re-sent id counts once.
 */
import { windowPartialsSchema, windowPartialsTableName, windowViewSql } from "../../pipelines/dataflow/window-partials";
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
      const columns = windowPartialsSchema(contract, window)
        .fields.map((f) => `${f.name} ${f.type}${f.mode === "REQUIRED" ? " NOT NULL" : ""}`)
        .join(", ");
      const rows = await inEmulatorDataset(emulator, DATASET, async (warehouse) => {
        await warehouse.query(`CREATE SCHEMA IF NOT EXISTS \`${dataset}\``);
        await warehouse.query(`CREATE TABLE ${partials} (${columns})`);
        await warehouse.query(windowViewSql(dataset, contract, window));
        await appendPartials(warehouse, partials, onTime.map(partialFor));
        // Later: the late event, and the first event re-sent under its id.
        await appendPartials(warehouse, partials, [late, onTime[0]].map(partialFor));
        return warehouse.query(`SELECT * FROM \`${dataset}.flights_origin_hourly\``);
      });
      expect(rows.map(normalized).sort(byWindow)).toStrictEqual(localRows().sort(byWindow));
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
