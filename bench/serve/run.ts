/**
 * The prediction server benchmark (not a test): `rox serve` (its own process) against a bare Node HTTP server that
 * answers the same JSON without scoring (bare-server.ts, its own process), each driven by the same closed-loop load
 * from this process — `--connections` keep-alive connections, each sending its next request when the last answered —
 * at 1 and 32 instances per request, over one day of real flights (random order) after one pass that fills the
 * window cache (timed: the cold path). Prints requests/s, instances/s, p50/p99 latency and the ratios.
 *
 *   npm run build && node dist/bench/serve/run.js --warehouse .rox/warehouse.duckdb [--store .rox/models] \
 *     [--model flights-delay@champion] [--day 2001-01-10] [--seconds 10] [--connections 8]
 */
import { spawn, type ChildProcess } from "child_process";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { drive, type Load } from "./load";

const ROOT = path.resolve(__dirname, "..", "..", "..");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      warehouse: { type: "string" },
      store: { type: "string" },
      model: { type: "string" },
      seconds: { type: "string" },
      day: { type: "string" },
      connections: { type: "string" },
    },
  });
  const warehouse = path.resolve(values.warehouse ?? path.join(".rox", "warehouse.duckdb"));
  const seconds = Number(values.seconds ?? 10);
  const connections = Number(values.connections ?? 8);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, node ${process.version}`);
  const events = await dayOfEvents(warehouse, values.day ?? "2001-01-10");
  const store = values.store ? ["--store", path.resolve(values.store)] : [];
  const model = values.model ?? "flights-delay@champion";
  const rox = await startProcess(
    [
      path.join(ROOT, "bin", "rox.js"),
      "serve",
      "--model",
      model,
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--warehouse",
      warehouse,
      ...store,
      "--reload-every",
      "0",
      "--cache-ttl",
      "60",
    ],
    /ready/,
  );
  const bare = await startProcess([path.join(ROOT, "dist", "bench", "serve", "bare-server.js")], /listening/);
  const results: Load[] = [];
  try {
    const cold = await coldPass(rox.url + "/predict", events);
    console.log(`cold cache: one pass over the day's ${events.length} flights, 32 a request: ${cold.toFixed(1)} s`);
    for (const batch of [1, 32]) {
      for (const [name, server] of [
        ["rox serve", rox],
        ["bare Node http", bare],
      ] as const) {
        await drive(server.url + "/predict", events, batch, connections, 2); // warm-up (JIT)
        results.push({ ...(await drive(server.url + "/predict", events, batch, connections, seconds)), name });
      }
    }
  } finally {
    rox.child.kill("SIGTERM");
    bare.child.kill("SIGTERM");
  }
  report(results, connections, seconds);
}

/** A day of real flights from the warehouse, as raw events without their delay (what a client would send). */
async function dayOfEvents(file: string, day: string): Promise<Record<string, unknown>[]> {
  const warehouse = await DuckDbWarehouse.open(file);
  try {
    const sql =
      `SELECT event_id, strftime(date, '%Y-%m-%dT%H:%M:%SZ') AS date, distance, origin, destination FROM flights ` +
      `WHERE strftime(date, '%Y-%m-%d') = '${day.replace(/'/g, "")}' ORDER BY random()`;
    return (await warehouse.query(sql)).map((r) => ({ ...r, distance: Number(r.distance) }));
  } finally {
    await warehouse.close();
  }
}

/** Every event once, 32 a request, one request at a time: fills the server's window cache (one query per hour). */
async function coldPass(url: string, events: unknown[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < events.length; i += 32) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instances: events.slice(i, i + 32) }),
    });
    if (response.status !== 200) throw new Error(`cold pass: ${response.status} ${await response.text()}`);
  }
  return (performance.now() - started) / 1000;
}

interface Started {
  child: ChildProcess;
  url: string;
}

function startProcess(args: string[], ready: RegExp): Promise<Started> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const url = /listening on (http:\/\/[\d.:]+)/.exec(text)?.[1];
      if (url && ready.test(text)) resolve({ child, url });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}:\n${text}`)));
  });
}

function report(results: Load[], connections: number, seconds: number): void {
  console.log(`${connections} connections, ${seconds} s per run (after a 2 s warm-up)`);
  console.table(
    results.map((r) => ({
      server: r.name,
      "instances/request": r.batch,
      requests: r.requests,
      errors: r.errors,
      "requests/s": Math.round(r.rate),
      "instances/s": Math.round(r.rate * r.batch),
      "p50 ms": r.p50.toFixed(2),
      "p99 ms": r.p99.toFixed(2),
    })),
  );
  for (const batch of [1, 32]) {
    const [rox, bare] = [
      results.find((r) => r.batch === batch && r.name === "rox serve")!,
      results.find((r) => r.batch === batch && r.name !== "rox serve")!,
    ];
    console.log(
      `${batch} instance(s)/request: rox serve / bare Node requests/s ${(rox.rate / bare.rate).toFixed(3)}; ` +
        `p50 ×${(rox.p50 / bare.p50).toFixed(2)}, p99 ×${(rox.p99 / bare.p99).toFixed(2)}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
