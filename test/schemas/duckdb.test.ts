import { DuckDBInstance } from "@duckdb/node-api";
import { deadLetterTableDdl, eventsTableDdl, windowTableDdl } from "../../schemas/duckdb";
import { loadContract } from "../../schemas/load";
import { expectGolden, FIXTURE_SCHEMAS } from "./golden";

const flights = loadContract("flights");
const clicks = loadContract("clicks", { dir: FIXTURE_SCHEMAS });
const [originHourly] = flights.features!.windows;

describe("DuckDB DDL (golden)", () => {
  test.each([
    ["flights.events.duckdb.sql", () => eventsTableDdl(flights)],
    ["flights.origin_hourly.duckdb.sql", () => windowTableDdl(flights, originHourly)],
    ["dead_letters.duckdb.sql", () => deadLetterTableDdl()],
    ["clicks.events.duckdb.sql", () => eventsTableDdl(clicks)],
  ])("%s", (file, ddl) => {
    expectGolden(file, ddl());
  });
});

describe("the DDL runs on DuckDB", () => {
  async function withDb(run: (sql: (text: string) => Promise<Record<string, unknown>[]>) => Promise<void>) {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await run(
        async (text) => (await connection.runAndReadAll(text)).getRowObjectsJson() as Record<string, unknown>[],
      );
    } finally {
      connection.closeSync();
    }
  }

  test("all tables, twice (IF NOT EXISTS)", async () => {
    await withDb(async (sql) => {
      for (let i = 0; i < 2; i++) {
        for (const ddl of [
          eventsTableDdl(flights),
          windowTableDdl(flights, originHourly),
          deadLetterTableDdl(),
          eventsTableDdl(clicks),
        ]) {
          await sql(ddl);
        }
      }
      const tables = await sql("SELECT table_name FROM information_schema.tables ORDER BY table_name");
      expect(tables.map((t) => t.table_name)).toEqual(["clicks", "dead_letters", "flights", "flights_origin_hourly"]);
    });
  });

  test("an offset instant is stored as the instant it names; the id is a primary key", async () => {
    await withDb(async (sql) => {
      await sql(eventsTableDdl(flights));
      const row = `'e1', '2001-01-01T02:01:00+02:00', 33, 2176, 'LAS', 'PHL', 0, 1, 'LAS-PHL', true, 'f:1', 'r', now()`;
      await sql(`INSERT INTO flights VALUES (${row})`);
      const [stored] = await sql("SELECT epoch_ms(date) AS ms FROM flights");
      expect(Number(stored.ms)).toBe(978307260000);
      await expect(sql(`INSERT INTO flights VALUES (${row})`)).rejects.toThrow(
        /(?:PRIMARY KEY|primary key|Duplicate key)/,
      );
    });
  });
});
