/**
 * Issue 12, item 1, across processes: a running `rox stream --score flights-delay@champion` (a child process on the
 * Pub/Sub emulator) holds the DuckDB warehouse, and `rox models promote` run from another process hands its promotion
 * to that job instead of failing busy. The gate's refusal comes back as a direct promotion's (exit 10, the gate's
 * message); a forced promotion comes back promoted (exit 0, the same line), and every event published after it was
 * asked for is scored by the new version. The day's events go out in three parts, each only once the previous
 * request is waiting in the warehouse's inbox, so the job can take it only before a micro-batch of the next part.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { openRegistry } from "../../launcher/models/open-registry";
import { inboxOf } from "../../launcher/models/promote-inbox";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { publishEvents } from "../../tools/publish/replay";
import { dayFlightsByTime } from "./day-events";
import { describeNeeds } from "../support/prerequisites";
import { startTestEmulator } from "../support/pubsub-emulator";
import { runRox } from "../support/rox-cli";
import { tempDir } from "../support/temp";
import { servingFixture, type Served } from "../serve/fixture";
import { withDuckDb } from "../models/fixture";

const ROX = path.resolve(__dirname, "..", "..", "bin", "rox.js");
let work: ReturnType<typeof tempDir>;
let s: Served;
/** The day's events in three files, in event-time order; each later part starts at a later event time. */
let parts: { file: string; events: number; from: string }[];

async function dayParts(dir: string): Promise<typeof parts> {
  const events = await dayFlightsByTime(dir);
  const time = (i: number) => Date.parse(String(events[i].date));
  /** The first index at or after `i` where the event time changes: no time is in two parts. */
  const cut = (i: number) => {
    while (i < events.length && time(i) === time(i - 1)) i++;
    return i;
  };
  const third = Math.floor(events.length / 3);
  const bounds = [0, cut(third), cut(2 * third), events.length];
  return [0, 1, 2].map((p) => {
    const slice = events.slice(bounds[p], bounds[p + 1]);
    const file = path.join(dir, `part-${p + 1}.jsonl`);
    fs.writeFileSync(file, slice.map((e) => JSON.stringify(e)).join("\n") + "\n");
    return { file, events: slice.length, from: new Date(time(bounds[p])).toISOString() };
  });
}

/** Resolves with the child's stderr so far once it contains `text`; rejects if the child ends first. */
function stderrContains(child: ChildProcess, err: string[], text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!err.join("").includes(text)) return;
      child.stderr!.off("data", check);
      child.off("exit", ended);
      resolve();
    };
    const ended = (code: number) => reject(new Error(`rox stream ended (${code}) before "${text}":\n${err.join("")}`));
    child.stderr!.on("data", check);
    child.once("exit", ended);
    check();
  });
}

/** Resolves once a request is waiting in the inbox (the promote process found the warehouse held). */
async function requestWaiting(inbox: string): Promise<void> {
  for (;;) {
    if (fs.existsSync(inbox) && fs.readdirSync(inbox).some((f) => f.endsWith(".request.json"))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeNeeds("ml-python", "pubsub-emulator")("rox models promote while rox stream --score holds the warehouse", () => {
  beforeAll(async () => {
    work = tempDir("stream-promote");
    s = await servingFixture(work.dir);
    parts = await dayParts(work.dir);
  }, 900_000);
  afterAll(() => work?.cleanup());

  test("the running job takes the promotion: refused by the gate, then forced; later events score with v2", async () => {
    const emulator = (await startTestEmulator())!;
    let stream: ChildProcess | undefined;
    try {
      const file = path.join(work.dir, "held.duckdb");
      fs.copyFileSync(s.warehouse, file);
      const common = { host: emulator.host, project: "rox-test", topic: "promote-topic" };
      await (await openSubscription({ ...common, subscription: "promote-sub" })).close();
      const publish = async (p: number) => {
        const { published } = await publishEvents({ ...common, from: parts[p].file, duplicates: 0, seed: 1 });
        expect(published).toBe(parts[p].events);
      };
      await publish(0);
      const total = parts.reduce((n, p) => n + p.events, 0);
      const where = ["--warehouse", file, "--store", s.store];
      stream = spawn(
        process.execPath,
        [
          ROX,
          "stream",
          "--subscription",
          "promote-sub",
          "--schema",
          "flights",
          "--score",
          "flights-delay@champion",
          "--project",
          "rox-test",
          "--host",
          emulator.host,
          ...where,
          "--max-messages",
          String(total),
          "--idle-timeout",
          "300",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      const err: string[] = [];
      stream.stderr!.setEncoding("utf8").on("data", (d: string) => err.push(d));
      const exited = new Promise<number | null>((resolve) => stream!.once("exit", (code) => resolve(code)));
      await stderrContains(stream, err, "rox stream: flights-delay@champion is v1");
      const inbox = inboxOf(file);

      // The weak version 2 against the champion: the gate refuses it, in the job, as it would here.
      const refused = runRox(["models", "promote", "flights-delay@2", ...where, "--wait", "240"]);
      await requestWaiting(inbox);
      await publish(1);
      const gate = await refused;
      expect(gate.code).toBe(10);
      expect(gate.stdout).toBe("");
      expect(gate.stderr).toMatch(
        /held: handing the promotion to the running job \(process \d+\), waiting up to 240 s\n/,
      );
      expect(gate.stderr).toMatch(/flights-delay@2 does not beat the champion @1 on its \d+ held-out rows/);

      const forced = runRox(["models", "promote", "flights-delay@2", "--force", ...where, "--wait", "240"]);
      await requestWaiting(inbox);
      await publish(2);
      const promoted = await forced;
      expect([promoted.code, promoted.stdout]).toEqual([0, "flights-delay@2 is champion (was @1) (forced)\n"]);

      expect(await exited).toBe(0);
      const log = err.join("");
      expect(log).toContain("rox stream: flights-delay@champion is v1 → v2");
      expect(log).toMatch(/rox stream: promotion of flights-delay@2 to champion asked by process \d+: refused: /);
      expect(log).toMatch(
        /rox stream: promotion of flights-delay@2 to champion \(--force\) asked by process \d+: flights-delay@2 is champion\n/,
      );
      expect(fs.readdirSync(inbox)).toEqual([]);

      const { byVersion, late, written, champion } = await withDuckDb(file, async (w) => {
        const rows = await w.query(
          "SELECT model_version AS v, count(*) AS n, count(*) FILTER (WHERE event_time >= $1::TIMESTAMPTZ) AS late " +
            "FROM flights_predictions GROUP BY model_version ORDER BY v",
          [parts[2].from],
        );
        const [events] = await w.query(
          `SELECT count(*) AS n FROM flights WHERE _run_id IN (SELECT "runId" FROM job_runs WHERE job = 'stream')`,
        );
        const registry = openRegistry(w, { kind: "duckdb", file }, s.store);
        const champion = await registry.resolve({ name: "flights-delay", alias: "champion" });
        const byVersion = Object.fromEntries(rows.map((r) => [Number(r.v), Number(r.n)]));
        const late = Object.fromEntries(rows.map((r) => [Number(r.v), Number(r.late)]));
        return { byVersion, late, written: Number(events.n), champion: champion.version };
      });
      expect(champion).toBe(2);
      expect(written).toBeGreaterThan(total / 2);
      expect(byVersion[1] + byVersion[2]).toBe(written); // every written event scored, by one version or the other
      expect(byVersion[1]).toBeGreaterThan(0); // at least the micro-batch that took the refused request
      expect(late[1]).toBe(0); // the third part, published once the forced promotion was asked for: v2 only
      expect(late[2]).toBeGreaterThan(0);
    } finally {
      if (stream?.exitCode === null) stream.kill("SIGKILL");
      await emulator.stop();
    }
  }, 600_000);
});
