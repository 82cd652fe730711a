import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { publishEvents } from "../../tools/publish/replay";
import { writeFlightSample } from "../../tools/sample/flights";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { itNeeds } from "../support/prerequisites";

// A backlog published before the job starts drains completely in one run of `rox stream --idle-timeout 10`, each
// event once, with the REST source and with Google's client (`--source pubsub`). Pulls that return at once
// (`returnImmediately`) can come back empty while such a backlog waits, and the job then stopped "idle" after a few
// hundred events; long polls are answered as soon as a message is there.
const workspace = useEmulatorWorkspace("backlog");
const it_ = itNeeds("pubsub-emulator");
const PROJECT = "rox-test";
const SAMPLE = 100_000;

let events: string | undefined;
/** The first `limit` of 100,000 real flights, as one JSON-lines file. */
async function flights(limit: number): Promise<string> {
  events ??= (
    await writeFlightSample({
      outDir: path.join(workspace.dir, "events"),
      format: "jsonl",
      by: "month",
      from: "2001-01-01",
      limit: SAMPLE,
    })
  ).files[0].path;
  const file = path.join(workspace.dir, `flights-${limit}.jsonl`);
  const lines = fs.readFileSync(events, "utf8").split("\n").slice(0, limit);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

function runStream(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const rox = path.resolve(__dirname, "..", "..", "bin", "rox.js");
  const child = spawn(
    "node",
    [rox, "stream", "--schema", "flights", "--project", PROJECT, "--idle-timeout", "10", ...args],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, TMPDIR: workspace.dir } },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      if (code !== 0)
        console.error(
          `rox stream exited ${code}; its stderr (last lines):\n${stderr.trimEnd().split("\n").slice(-10).join("\n")}`,
        );
      resolve({ code, stderr });
    }),
  );
}

async function expectDrained(warehouse: string, count: number, stderr: string): Promise<void> {
  const db = await DuckDbWarehouse.open(warehouse);
  try {
    const [table] = await db.query("SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM flights");
    expect(table).toStrictEqual({ n: String(count), ids: String(count) });
    const runs = await db.query(
      `SELECT "read", written, "deadLettered", duplicates FROM job_runs WHERE job = 'stream'`,
    );
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(Number(run.written)).toBe(count);
    expect(Number(run.read)).toBe(Number(run.written) + Number(run.deadLettered) + Number(run.duplicates));
  } catch (err) {
    console.error(`rox stream's stderr (last lines):\n${stderr.trimEnd().split("\n").slice(-10).join("\n")}`);
    throw err;
  } finally {
    await db.close();
  }
}

it_(
  "100,000 events published before the job starts drain in one run (REST source)",
  async () => {
    const host = workspace.emulator!.host;
    await openSubscription({ host, project: PROJECT, subscription: "backlog-rest-sub", topic: "backlog-rest" });
    await publishEvents({ host, project: PROJECT, topic: "backlog-rest", from: await flights(SAMPLE) });
    const warehouse = path.join(workspace.dir, "rest.duckdb");
    const { code, stderr } = await runStream([
      "--subscription",
      "backlog-rest-sub",
      "--topic",
      "backlog-rest",
      "--host",
      host,
      "--warehouse",
      warehouse,
    ]);
    expect(code).toBe(0);
    await expectDrained(warehouse, SAMPLE, stderr);
  },
  600_000,
);

it_(
  "a backlog published before the job starts drains in one run through Google's client (--source pubsub)",
  async () => {
    const host = workspace.emulator!.host;
    const count = 25_000; // the client path shares the pull strategy; a quarter of the backlog keeps CI short
    await openSubscription({
      host,
      project: PROJECT,
      subscription: "backlog-client-sub",
      topic: "backlog-client",
      ackDeadlineSeconds: 20,
    });
    await publishEvents({ host, project: PROJECT, topic: "backlog-client", from: await flights(count) });
    const warehouse = path.join(workspace.dir, "client.duckdb");
    const { code, stderr } = await runStream([
      "--source",
      "pubsub",
      "--subscription",
      "backlog-client-sub",
      "--host",
      host,
      "--warehouse",
      warehouse,
    ]);
    expect(code).toBe(0);
    await expectDrained(warehouse, count, stderr);
  },
  600_000,
);
