/**
 * The streaming job's window view folds one-event partials in SQL; the local jobs merge partials in JS
 * (`mergeWindowRows`). On DuckDB, the fold over the partials of the same events gives the same rows as the local
 * merge — including a late event that arrives after its window was written and a re-sent id that counts once.
 */
import * as fs from "fs";
import * as path from "path";
import { DuckDBInstance } from "@duckdb/node-api";
import { windowFoldSql } from "../../transforms/window-fold-sql";
import { byWindow, contract, late, localRows, onTime, partialFor, window } from "./window-fold-cases";
import { tempDir } from "../support/temp";

const temp = tempDir("window-fold-sql");
afterAll(() => temp.cleanup());

async function foldOnDuckDb(partials: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const file = path.join(temp.dir, "partials.jsonl");
  fs.writeFileSync(file, partials.map((row) => JSON.stringify(row)).join("\n"));
  const connection = await (await DuckDBInstance.create(":memory:")).connect();
  await connection.run("SET TimeZone = 'UTC'");
  const columns =
    "{origin: 'VARCHAR', window_start: 'TIMESTAMPTZ', window_end: 'TIMESTAMPTZ', flights: 'BIGINT', " +
    "delay_sum: 'BIGINT', max_delay: 'BIGINT', delayed_flights: 'BIGINT', _event_id: 'VARCHAR', " +
    "_updated_at: 'TIMESTAMPTZ'}";
  await connection.run(`CREATE TABLE partials AS SELECT * FROM read_json('${file}', columns = ${columns})`);
  const fold = windowFoldSql(contract, window, "partials", (name) => `"${name}"`);
  const reader = await connection.runAndReadAll(`SELECT * FROM (${fold}) ORDER BY origin, window_start`);
  return reader.getRowObjectsJS().map(plain);
}

/** DuckDB's values as the JS merge writes them: ISO timestamps, numbers. */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (value instanceof Date) out[name] = value.toISOString();
    else out[name] = typeof value === "bigint" ? Number(value) : value;
  }
  return out;
}

describe("windowFoldSql", () => {
  test("folds one-event partials into the rows the local merge writes (late event included)", async () => {
    const folded = await foldOnDuckDb([...onTime, late].map(partialFor));
    expect(folded.sort(byWindow)).toStrictEqual(localRows().sort(byWindow));
    expect(folded.find((row) => row.origin === "LAS" && row.window_start === "2001-01-02T10:00:00.000Z")).toMatchObject(
      { flights: 4, max_delay: 120, _acc_delay_sum: 161, _acc_delayed_flights: 2 },
    );
  });

  test("a re-sent id (the same event's partial twice) counts once", async () => {
    const once = await foldOnDuckDb([...onTime, late].map(partialFor));
    const twice = await foldOnDuckDb([...onTime, late, onTime[0], late].map(partialFor));
    expect(twice).toStrictEqual(once);
  });

  test("BigQuery's text: backtick-quoted names, the partials table as given", () => {
    const sql = windowFoldSql(contract, window, "`p.d.flights_origin_hourly__partials`", (name) => `\`${name}\``);
    expect(sql).toBe(
      "SELECT `origin`, `window_start`, `window_end`, flights AS `flights`, " +
        "CASE WHEN flights = 0 THEN NULL ELSE delay_sum / flights END AS `mean_delay`, max_delay AS `max_delay`, " +
        "CASE WHEN flights = 0 THEN NULL ELSE delayed_flights / flights END AS `delayed_share`, " +
        "`flights` AS `_acc_flights`, `delay_sum` AS `_acc_delay_sum`, `max_delay` AS `_acc_max_delay`, " +
        "`delayed_flights` AS `_acc_delayed_flights`, `_updated_at` FROM (SELECT `origin`, `window_start`, " +
        "`window_end`, SUM(`flights`) AS `flights`, SUM(`delay_sum`) AS `delay_sum`, MAX(`max_delay`) AS " +
        "`max_delay`, SUM(`delayed_flights`) AS `delayed_flights`, MAX(`_updated_at`) AS `_updated_at` FROM " +
        "(SELECT *, ROW_NUMBER() OVER (PARTITION BY `_event_id` ORDER BY `_updated_at`) AS `_copy` FROM " +
        "`p.d.flights_origin_hourly__partials`) WHERE `_copy` = 1 GROUP BY `origin`, `window_start`, `window_end`)",
    );
  });
});
