/**
 * The scoring DoFn's window lookup benchmark (not a test): `--lookups` synchronous lookups of one key each (the keys of
 * the warehouse's `flights_origin_hourly` rows, cycled — a stream's events fall in few windows), through the window
 * lookup's worker thread, with and without the caller thread's window cache (`WindowRowsCache`):
 * - **per-event round trip** (the baseline, the code before the cache): the caller's cache never holds a window (its
 *   clock is past every expiry), so every lookup crosses to the worker, whose own cache answers;
 * - **caller-thread cache**: a held window is answered on the caller's thread.
 * Rounds alternate the two; prints lookups/s of the best round of each, the ratio, and the round trips made. The
 * windows: those of a warehouse given with `--warehouse` (copied first: no lock on yours), else one day of real
 * flights (2001-01-08, `--events` of them) landed by the batch job in a temporary DuckDB file.
 *
 *   npm run build && node dist/bench/window-lookup/run.js [--lookups 200000] [--rounds 3] [--events 5000] \
 *     [--warehouse file.duckdb]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { runBatchJob } from "../../pipelines/batch-job";
import { writeFlightSample } from "../../tools/sample/flights";
import { stopWindowLookupSync, SyncWindowLookup } from "../../pipelines/dataflow/window-lookup-sync";
import type { WindowKey } from "../../transforms/score/online-features";

const TABLE = "flights_origin_hourly";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      warehouse: { type: "string" },
      lookups: { type: "string" },
      rounds: { type: "string" },
      events: { type: "string" },
    },
  });
  const lookups = Number(values.lookups ?? 200_000);
  const rounds = Number(values.rounds ?? 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rox-bench-window-lookup-"));
  const file = path.join(dir, "warehouse.duckdb");
  try {
    if (values.warehouse) fs.copyFileSync(path.resolve(values.warehouse), file);
    else await landDay(dir, file, Number(values.events ?? 5_000));
    const keys = await windowKeys(file);
    if (keys.length === 0) throw new Error(`the warehouse has no ${TABLE} rows`);
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, node ${process.version}; load average ` +
        `${os.loadavg().map((l) => l.toFixed(1))}; ${lookups} lookups over ${keys.length} keys, best of ${rounds}`,
    );
    // A TTL longer than the run: every window is read from the warehouse once, by the first round.
    const settings = { target: { kind: "duckdb" as const, file }, ttlMs: 3_600_000 };
    const contenders = {
      "per-event round trip": () => new SyncWindowLookup(() => Number.MAX_SAFE_INTEGER),
      "caller-thread cache": () => new SyncWindowLookup(),
    };
    const best = new Map<string, { perSecond: number; crossings: number }>();
    new SyncWindowLookup().rows(settings, keys); // warm the worker and its cache
    for (let round = 0; round < rounds; round++)
      for (const [name, make] of Object.entries(contenders)) {
        const lookup = make();
        const started = process.hrtime.bigint();
        for (let i = 0; i < lookups; i++) lookup.rows(settings, [keys[i % keys.length]]);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const perSecond = lookups / seconds;
        if (perSecond > (best.get(name)?.perSecond ?? 0)) best.set(name, { perSecond, crossings: lookup.crossings });
      }
    console.log("| contender | lookups/s | round trips to the worker |\n|---|---|---|");
    for (const [name, { perSecond, crossings }] of best)
      console.log(`| ${name} | ${Math.round(perSecond).toLocaleString("en")} | ${crossings.toLocaleString("en")} |`);
    const ratio = best.get("caller-thread cache")!.perSecond / best.get("per-event round trip")!.perSecond;
    console.log(`caller-thread cache / per-event round trip: ${ratio.toFixed(1)}×`);
  } finally {
    await stopWindowLookupSync();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function landDay(dir: string, file: string, events: number): Promise<void> {
  const input = path.join(dir, "events");
  await writeFlightSample({
    outDir: input,
    format: "jsonl",
    by: "day",
    from: "2001-01-08",
    to: "2001-01-09",
    limit: events,
  });
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    await runBatchJob({ input, schema: "flights", workDir: dir }, warehouse);
  } finally {
    await warehouse.close();
  }
}

async function windowKeys(file: string): Promise<WindowKey[]> {
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    const rows = await warehouse.query(`SELECT origin, epoch_ms(window_end) AS end_ms FROM ${TABLE} ORDER BY ALL`);
    return rows.map((r) => ({
      table: TABLE,
      keyColumn: "origin",
      key: String(r.origin),
      windowEndMs: Number(r.end_ms),
    }));
  } finally {
    await warehouse.close();
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
