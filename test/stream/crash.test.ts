import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { publishEvents } from "../../tools/publish/replay";
import { writeFlightSample } from "../../tools/sample/flights";
import { itNeeds } from "../support/prerequisites";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";

// 100,000 real flights; the stream job is killed with SIGKILL three times at random moments and restarted. At the end
// exactly 100,000 distinct events are in the table, and every run's committed summary reconciles.
const EVENTS = 100_000;
// Pub/Sub's shortest ack deadline (rox stream refuses less, as Pub/Sub does).
const ACK_DEADLINE = 10;
const workspace = useEmulatorWorkspace("crash");

/**
 * Idle timeouts far above the ack deadline: messages a killed run had pulled come back before the last run gives up,
 * and on two busy cores the emulator (a JVM) can answer empty pulls for many seconds while messages wait — a run
 * meant to be killed must not give up first, and the last one must not stop before the backlog is drained.
 */
const IDLE_SECONDS = { killed: 120, last: 45 };

function startStream(host: string, warehouse: string, run: number, idleSeconds: number): ChildProcess {
  const rox = path.resolve(__dirname, "..", "..", "bin", "rox.js");
  const args = [
    "stream",
    "--subscription",
    "crash-sub",
    "--topic",
    "crash-events",
    "--schema",
    "flights",
    "--warehouse",
    warehouse,
    "--host",
    host,
    "--project",
    "rox-test",
    "--idle-timeout",
    String(idleSeconds),
    "--ack-deadline",
    String(ACK_DEADLINE),
  ];
  // A killed run cannot clean up its staging folder: keep those inside this test's temp folder.
  const child = spawn("node", [rox, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, TMPDIR: workspace.dir },
  });
  // Each run's progress goes to a log of its own, printed when the test fails.
  child.stderr?.pipe(fs.createWriteStream(path.join(workspace.dir, `run-${run}.log`)));
  return child;
}

function printRunLogs(): void {
  for (const name of fs
    .readdirSync(workspace.dir)
    .filter((f) => /^run-\d\.log$/.test(f))
    .sort()) {
    const lines = fs.readFileSync(path.join(workspace.dir, name), "utf8").trimEnd().split("\n");
    console.error(
      `${name} (last ${Math.min(lines.length, 15)} of ${lines.length} lines):\n${lines.slice(-15).join("\n")}`,
    );
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/**
 * Resolves once the job has committed at least `batches` micro-batches (it prints a progress line for each); rejects if
 * it exits first, so a run that fails cannot leave the test waiting.
 */
function committed(child: ChildProcess, batches: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk
        .toString()
        .split("\n")
        .filter((l) => l.includes("events/s")).length;
      if (seen >= batches) resolve();
    });
    child.once("exit", (code) =>
      reject(new Error(`the stream job exited (${code}) after ${seen} of ${batches} batches`)),
    );
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const TEST_TIMEOUT_MS = 300_000; // ~100 s alone (the last run idles 45 s at the end); more when other suites share the cores

itNeeds("pubsub-emulator")(
  "SIGKILL three times at random moments: nothing lost, nothing twice",
  async () => {
    const { dir } = workspace;
    const emulator = workspace.emulator!;
    const sample = await writeFlightSample({
      outDir: path.join(dir, "crash-events"),
      format: "jsonl",
      by: "month",
      from: "2001-01-01",
      limit: EVENTS,
    });
    expect(sample.rows).toBe(EVENTS);
    await openSubscription({
      host: emulator.host,
      project: "rox-test",
      subscription: "crash-sub",
      topic: "crash-events",
      ackDeadlineSeconds: ACK_DEADLINE,
    });
    await publishEvents({
      host: emulator.host,
      project: "rox-test",
      topic: "crash-events",
      from: path.join(dir, "crash-events"),
    });
    const warehouse = path.join(dir, "crash.duckdb");
    // If the test runs out of time, the runs' logs say where it stood (jest itself prints only the timeout).
    const watchdog = setTimeout(printRunLogs, TEST_TIMEOUT_MS - 10_000);
    try {
      await killThreeTimesThenFinish(emulator.host, warehouse);
    } catch (err) {
      printRunLogs();
      throw err;
    } finally {
      clearTimeout(watchdog);
    }

    const db = await DuckDbWarehouse.open(warehouse);
    try {
      const [events] = await db.query("SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM flights");
      expect(events).toStrictEqual({ n: String(EVENTS), ids: String(EVENTS) });
      const runs = await db.query(
        `SELECT "read", written, "deadLettered", duplicates FROM job_runs WHERE job = 'stream'`,
      );
      expect(runs.length).toBe(4);
      for (const run of runs)
        expect(Number(run.read)).toBe(Number(run.written) + Number(run.deadLettered) + Number(run.duplicates));
      expect(runs.reduce((sum, run) => sum + Number(run.written), 0)).toBe(EVENTS);
      expect(runs.reduce((sum, run) => sum + Number(run.read), 0)).toBeGreaterThanOrEqual(EVENTS);
    } finally {
      await db.close();
    }
  },
  TEST_TIMEOUT_MS,
);

async function killThreeTimesThenFinish(host: string, warehouse: string): Promise<void> {
  for (let run = 0; run < 3; run++) {
    const child = startStream(host, warehouse, run, IDLE_SECONDS.killed);
    // At most 5 batches (≤ 5,000 messages each) per killed run: three runs take at most 75,000 of the 100,000, so each is
    // killed mid-stream — with more, a run could drain the backlog and idle out before its kill.
    await committed(child, 1 + Math.floor(Math.random() * 5));
    await sleep(Math.random() * 700);
    child.kill("SIGKILL");
    expect(await exited(child)).toBe(null);
  }
  const last = startStream(host, warehouse, 3, IDLE_SECONDS.last);
  expect(await exited(last)).toBe(0);
}
