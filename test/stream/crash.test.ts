import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { publishEvents } from "../../launcher/publish/replay";
import { writeFlightSample } from "../../launcher/sample/flights";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";

// 100,000 real flights; the stream job is killed with SIGKILL three times at random moments and restarted. At the end
// exactly 100,000 distinct events are in the table, and every run's committed summary reconciles.
const EVENTS = 100_000;
const ACK_DEADLINE = 8;
const workspace = useEmulatorWorkspace("crash");

function startStream(host: string, warehouse: string): ChildProcess {
  const rox = path.resolve(__dirname, "..", "..", "bin", "rox.js");
  // Idle longer than the ack deadline: messages a killed run had pulled come back before the last run gives up.
  const args = ["stream", "--subscription", "crash-sub", "--topic", "crash-events", "--schema", "flights", "--warehouse", warehouse, "--host", host, "--project", "rox-test", "--idle-timeout", String(ACK_DEADLINE * 2), "--ack-deadline", String(ACK_DEADLINE)];
  // A killed run cannot clean up its staging folder: keep those inside this test's temp folder.
  return spawn("node", [rox, ...args], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, TMPDIR: workspace.dir } });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Resolves once the job has committed at least `batches` micro-batches (it prints a progress line for each). */
function committed(child: ChildProcess, batches: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString().split("\n").filter((l) => l.includes("events/s")).length;
      if (seen >= batches) resolve();
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("SIGKILL three times at random moments: nothing lost, nothing twice", async () => {
  const { emulator, dir } = workspace;
  if (!emulator) return console.warn("skipped: no Pub/Sub emulator (see the reason above)");
  const sample = await writeFlightSample({ outDir: path.join(dir, "crash-events"), format: "jsonl", by: "month", from: "2001-01-01", limit: EVENTS });
  expect(sample.rows).toBe(EVENTS);
  await openSubscription({ host: emulator.host, project: "rox-test", subscription: "crash-sub", topic: "crash-events", ackDeadlineSeconds: ACK_DEADLINE });
  await publishEvents({ host: emulator.host, project: "rox-test", topic: "crash-events", from: path.join(dir, "crash-events") });
  const warehouse = path.join(dir, "crash.duckdb");
  for (let kill = 0; kill < 3; kill++) {
    const child = startStream(emulator.host, warehouse);
    await committed(child, 1 + Math.floor(Math.random() * 10));
    await sleep(Math.random() * 700);
    child.kill("SIGKILL");
    expect(await exited(child)).toBe(null);
  }
  const last = startStream(emulator.host, warehouse);
  expect(await exited(last)).toBe(0);

  const db = await DuckDbWarehouse.open(warehouse);
  try {
    const [events] = await db.query("SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM flights");
    expect(events).toStrictEqual({ n: String(EVENTS), ids: String(EVENTS) });
    const runs = await db.query(`SELECT "read", written, "deadLettered", duplicates FROM job_runs WHERE job = 'stream'`);
    expect(runs.length).toBe(4);
    for (const run of runs) expect(Number(run.read)).toBe(Number(run.written) + Number(run.deadLettered) + Number(run.duplicates));
    expect(runs.reduce((sum, run) => sum + Number(run.written), 0)).toBe(EVENTS);
    expect(runs.reduce((sum, run) => sum + Number(run.read), 0)).toBeGreaterThanOrEqual(EVENTS);
  } finally {
    await db.close();
  }
}, 300_000); // ~60 s alone; more when other suites share the two cores
