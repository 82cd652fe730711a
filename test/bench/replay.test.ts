import * as fs from "fs";
import * as path from "path";
import { DuckDBInstance } from "@duckdb/node-api";
import { planReplay, replayEventId, replayIdSql, writeReplay } from "../../bench/scale/replay";
import { tempDir } from "../support/temp";

describe("replayed flights for the scale benchmark", () => {
  it("keeps round 0's ids and gives every later round its own", () => {
    expect(replayEventId("flights-3m:17", 0)).toBe("flights-3m:17");
    expect(replayEventId("flights-3m:17", 2)).toBe("flights-3m:17~r2");
    const ids = ["flights-3m:1", "flights-3m:11", "flights-3m:1~r1"];
    const replayed = [0, 1, 2, 3].flatMap((round) => ids.map((id) => replayEventId(id, round)));
    // "flights-3m:1~r1" collides only with itself replayed in round 0: real ids never contain "~".
    expect(new Set(replayed).size).toBe(replayed.length - 1);
    expect(() => replayEventId("x", -1)).toThrow(RangeError);
    expect(() => replayEventId("x", 1.5)).toThrow(RangeError);
  });

  it("derives the same ids in DuckDB as in replayEventId", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      for (const round of [0, 1, 7]) {
        const read = await connection.runAndReadAll(
          `SELECT ${replayIdSql("event_id", round)} FROM (VALUES ('flights-3m:42'), ('it''s')) AS t(event_id)`,
        );
        expect(read.getRowsJS().map((r) => r[0])).toEqual([
          replayEventId("flights-3m:42", round),
          replayEventId("it's", round),
        ]);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it("plans whole rounds of the source files in order, cutting the last", () => {
    const sources = [
      { path: "a", rows: 3 },
      { path: "b", rows: 2 },
    ];
    expect(planReplay(sources, 4)).toEqual([
      { round: 0, source: "a" },
      { round: 0, source: "b", limit: 1 },
    ]);
    expect(planReplay(sources, 11)).toEqual([
      { round: 0, source: "a" },
      { round: 0, source: "b" },
      { round: 1, source: "a" },
      { round: 1, source: "b" },
      { round: 2, source: "a", limit: 1 },
    ]);
  });

  it("writes the replayed rows as Parquet: new ids, dates 52 weeks on", async () => {
    const { dir, cleanup } = tempDir("replay");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await connection.run("SET TimeZone = 'UTC'");
      const source = path.join(dir, "src");
      await connection.run(`CREATE TABLE f AS SELECT 'flights-3m:' || i AS event_id,
        TIMESTAMPTZ '2001-01-01 06:00:00+00' + i * INTERVAL 1 HOUR AS date, CAST(i AS INTEGER) AS delay,
        100 AS distance, 'SEA' AS origin, 'SFO' AS destination FROM range(1, 4) t(i)`);
      fs.mkdirSync(source);
      await connection.run(`COPY f TO '${path.join(source, "flights-2001-01.parquet")}' (FORMAT parquet)`);
      const out = path.join(dir, "out");
      expect(await writeReplay(source, out, 5)).toEqual(["r0-flights-2001-01.parquet", "r1-flights-2001-01.parquet"]);
      const read = await connection.runAndReadAll(
        `SELECT event_id, strftime(date, '%Y-%m-%d %H') FROM read_parquet('${out}/*.parquet', filename = true) ORDER BY filename, delay`,
      );
      expect(read.getRowsJS()).toEqual([
        ["flights-3m:1", "2001-01-01 07"],
        ["flights-3m:2", "2001-01-01 08"],
        ["flights-3m:3", "2001-01-01 09"],
        ["flights-3m:1~r1", "2001-12-31 07"],
        ["flights-3m:2~r1", "2001-12-31 08"],
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
      cleanup();
    }
  });
});
