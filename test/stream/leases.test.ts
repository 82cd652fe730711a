import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { publishEvents } from "../../tools/publish/replay";
import { writeFlightSample } from "../../tools/sample/flights";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { itNeeds } from "../support/prerequisites";

// A run is killed while it holds leased messages (the batch it prefetched); the restart has an idle timeout far below
// the subscription's ack deadline. It must not stop idle ("done", exit 0) while those messages are still leased: it
// waits until they come back and lands them, so one more run is never needed to find them.
const workspace = useEmulatorWorkspace("leases");
const it_ = itNeeds("pubsub-emulator");
const EVENTS = 6000;
const BATCH = 2000;
const ACK_DEADLINE = 30;

function startStream(
  host: string,
  warehouse: string,
  idleSeconds: number,
): { child: ChildProcess; stderr: () => string } {
  const rox = path.resolve(__dirname, "..", "..", "bin", "rox.js");
  const args = [
    "stream",
    "--subscription",
    "leases-sub",
    "--topic",
    "leases-events",
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
    "--batch-size",
    String(BATCH),
  ];
  const child = spawn("node", [rox, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, TMPDIR: workspace.dir },
  });
  let text = "";
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { child, stderr: () => text };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Resolves once the job printed its first committed batch; rejects if it exits first. */
function firstCommit(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => chunk.toString().includes("events/s") && resolve());
    child.once("exit", (code) => reject(new Error(`the stream job exited (${code}) before its first batch`)));
  });
}

it_(
  "after a kill, a restart with --idle-timeout below the ack deadline lands the leased messages before it stops",
  async () => {
    const { emulator, dir } = workspace;
    const host = emulator!.host;
    await openSubscription({
      host,
      project: "rox-test",
      subscription: "leases-sub",
      topic: "leases-events",
      ackDeadlineSeconds: ACK_DEADLINE,
    });
    const sample = await writeFlightSample({
      outDir: path.join(dir, "events"),
      format: "jsonl",
      by: "month",
      from: "2001-01-01",
      limit: EVENTS,
    });
    await publishEvents({ host, project: "rox-test", topic: "leases-events", from: sample.files[0].path });
    const warehouse = path.join(dir, "leases.duckdb");

    const killed = startStream(host, warehouse, 120);
    await firstCommit(killed.child); // it pulled the next batch while committing this one: those messages are leased
    killed.child.kill("SIGKILL");
    expect(await exited(killed.child)).toBe(null);

    const restart = startStream(host, warehouse, 2);
    expect(await exited(restart.child)).toBe(0);

    const db = await DuckDbWarehouse.open(warehouse);
    try {
      const [events] = await db.query("SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM flights");
      expect(events).toStrictEqual({ n: String(EVENTS), ids: String(EVENTS) });
      const runs = await db.query(
        `SELECT "read", written, "deadLettered", duplicates FROM job_runs WHERE job = 'stream'`,
      );
      for (const run of runs)
        expect(Number(run.read)).toBe(Number(run.written) + Number(run.deadLettered) + Number(run.duplicates));
    } finally {
      await db.close();
    }
    expect(restart.stderr()).toMatch(/waiting up to \d+ s more \(ack deadline 30 s\)/);
    expect(restart.stderr()).toMatch(/no lease outstanding/);
  },
  180_000,
);
