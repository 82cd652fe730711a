/**
 * The streaming job on Dataflow appends every event, re-sent ids included; the events table is a view of each id's
 * first copy and a run's duplicates are its copies that are not first (`transforms/first-copy-sql.ts`). On DuckDB:
 * the view keeps exactly the first copy of each id, as the local job keeps the first and drops the rest, and the
 * tally counts a run's re-sent copies, also of ids an earlier run appended first.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { firstCopiesSql, runDuplicatesSql } from "../../transforms/first-copy-sql";

const quote = (name: string) => `"${name}"`;
/** [id, run, ingested second, payload]: `a` first in r0 and re-sent twice in r1; `b` re-sent once in r1; `c` once. */
const APPENDED: [string, string, number, string][] = [
  ["a", "r0", 1, "first a"],
  ["b", "r1", 2, "first b"],
  ["a", "r1", 3, "a again"],
  ["c", "r1", 4, "only c"],
  ["b", "r1", 5, "b again"],
  ["a", "r1", 6, "a a third time"],
];

async function onDuckDb(sql: string): Promise<Record<string, unknown>[]> {
  const connection = await (await DuckDBInstance.create(":memory:")).connect();
  await connection.run(
    "CREATE TABLE appended (event_id VARCHAR, _run_id VARCHAR, _ingested_at TIMESTAMPTZ, payload VARCHAR)",
  );
  const values = APPENDED.map(
    ([id, run, second, payload]) => `('${id}', '${run}', TIMESTAMPTZ '2001-01-02 00:00:0${second}+00', '${payload}')`,
  );
  await connection.run(`INSERT INTO appended VALUES ${values.join(", ")}`);
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])),
  );
}

describe("first copies of appended events", () => {
  test("the events view keeps each id's first copy, as the local job keeps the first", async () => {
    const view = firstCopiesSql(["event_id", "_run_id", "payload"], "event_id", "appended", quote);
    const rows = await onDuckDb(`SELECT * FROM (${view}) ORDER BY event_id`);
    expect(rows).toStrictEqual([
      { event_id: "a", _run_id: "r0", payload: "first a" },
      { event_id: "b", _run_id: "r1", payload: "first b" },
      { event_id: "c", _run_id: "r1", payload: "only c" },
    ]);
  });

  test("a run's duplicates: its copies that are not first, also of an id an earlier run appended", async () => {
    const tally = async (run: string) =>
      (await onDuckDb(runDuplicatesSql("event_id", "appended", `'${run}'`, quote)))[0].duplicates;
    expect(await tally("r1")).toBe(3);
    expect(await tally("r0")).toBe(0);
    // read = written + duplicates for r1: 5 appended, 2 ids first appended by r1 (b, c), 3 duplicates.
  });

  test("BigQuery's text: backtick-quoted names, the appended table as given", () => {
    const sql = firstCopiesSql(["event_id", "date"], "event_id", "`p.d.flights__appended`", (n) => `\`${n}\``);
    expect(sql).toBe(
      "SELECT `event_id`, `date` FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY `event_id` ORDER BY " +
        "`_ingested_at`, `_run_id`) AS `_copy` FROM `p.d.flights__appended`) WHERE `_copy` = 1",
    );
  });
});
