/**
 * A synthetic input larger than the 3M real flights, for the scale benchmark: the real flights replayed in rounds.
 * Round 0 is the real flights unchanged; round r ≥ 1 is every flight again with a new id (`<id>~r<r>`) and its date
 * moved r × 52 weeks later (same weekday and hour, so the hourly windows of a round are new rows, not old ones grown).
 * DuckDB reads and writes the files, so no round passes through JS memory; the pure parts are tested
 * (test/bench/replay.test.ts runs `replayIdSql` in DuckDB against `replayEventId`).
 */
import * as fs from "fs";
import * as path from "path";
import { DuckDBInstance } from "@duckdb/node-api";
import { sqlString } from "../../tools/sample/flights-sql";

export const REPLAY_SHIFT_DAYS = 364;

function checkRound(round: number): void {
  if (!Number.isSafeInteger(round) || round < 0) throw new RangeError(`round must be an integer ≥ 0, got ${round}`);
}

/** The id of a real flight's replay in `round`: unchanged in round 0, unique per (id, round) after. */
export function replayEventId(id: string, round: number): string {
  checkRound(round);
  return round === 0 ? id : `${id}~r${round}`;
}

/** `replayEventId` as a DuckDB expression over an id column. */
export function replayIdSql(column: string, round: number): string {
  checkRound(round);
  return round === 0 ? column : `${column} || ${sqlString(`~r${round}`)}`;
}

export interface ReplayFile {
  round: number;
  source: string;
  /** Rows to take from the start of the source (all when undefined). */
  limit?: number;
}

/** Which rounds of which source files make `rows` rows: whole files in order, the last one cut. */
export function planReplay(sources: { path: string; rows: number }[], rows: number): ReplayFile[] {
  const total = sources.reduce((sum, s) => sum + s.rows, 0);
  if (total === 0) throw new RangeError("no source rows to replay");
  const plan: ReplayFile[] = [];
  for (let round = 0, left = rows; left > 0; round++) {
    for (const source of sources) {
      if (left <= 0) break;
      plan.push(source.rows <= left ? { round, source: source.path } : { round, source: source.path, limit: left });
      left -= Math.min(source.rows, left);
    }
  }
  return plan;
}

export function replayStatement(file: ReplayFile, out: string): string {
  const shift = file.round * REPLAY_SHIFT_DAYS;
  const limit = file.limit === undefined ? "" : ` LIMIT ${file.limit}`;
  return (
    `COPY (SELECT ${replayIdSql("event_id", file.round)} AS event_id, date + INTERVAL ${shift} DAY AS date,` +
    ` delay, distance, origin, destination FROM read_parquet(${sqlString(file.source)}, file_row_number = true)` +
    ` ORDER BY file_row_number${limit}) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION snappy)`
  );
}

/** Writes `rows` replayed flights as Parquet files into outDir (skipped when outDir already has them all). */
export async function writeReplay(sourceDir: string, outDir: string, rows: number): Promise<string[]> {
  const done = path.join(outDir, ".complete");
  if (fs.existsSync(done)) return fs.readdirSync(outDir).filter((f) => f.endsWith(".parquet"));
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const sources = [];
    for (const name of fs
      .readdirSync(sourceDir)
      .filter((f) => f.endsWith(".parquet"))
      .sort()) {
      const file = path.join(sourceDir, name);
      const read = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(file)})`);
      sources.push({ path: file, rows: Number(read.getRowsJS()[0][0]) });
    }
    const written: string[] = [];
    for (const file of planReplay(sources, rows)) {
      const name = `r${file.round}-${path.basename(file.source)}`;
      await connection.run(replayStatement(file, path.join(outDir, name)));
      written.push(name);
    }
    fs.writeFileSync(done, `${rows}\n`);
    return written;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
