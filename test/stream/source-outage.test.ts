import * as path from "path";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { exitCodeOf } from "../../launcher/errors";
import { publishEvents } from "../../tools/publish/replay";
import { writeFlightSample } from "../../tools/sample/flights";
import { runStreamJob, type StreamJobOptions } from "../../pipelines/stream-job";
import { unaccounted } from "../../transforms/summary";
import { startCountingProxy, type CountingProxy } from "../../bench/counting-proxy";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { itNeeds } from "../support/prerequisites";

// The emulator goes away under a running job (a proxy in front of it drops every request while "down"). A short
// outage is ridden out: pulls and acks are retried with backoff and every event lands once. An outage longer than
// the retry budget ends the job with one typed error (exit 5) after it committed what it had, and nothing in the
// pull loop rejects unhandled.
const workspace = useEmulatorWorkspace("outage");
const it_ = itNeeds("pubsub-emulator");
const PROJECT = "rox-test";
const EVENTS = 2000;

let unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", recordUnhandled);
});
afterEach(() => void process.off("unhandledRejection", recordUnhandled));

async function backlog(name: string, proxy: CountingProxy) {
  const { emulator, dir } = workspace;
  // A failed pull may have leased messages whose answer was lost, so the job waits out one ack deadline before it
  // stops idle: the shortest Pub/Sub allows keeps the test short.
  const source = await openSubscription({
    host: proxy.host,
    project: PROJECT,
    subscription: `${name}-sub`,
    topic: name,
    ackDeadlineSeconds: 10,
  });
  const sample = await writeFlightSample({
    outDir: path.join(dir, name),
    format: "jsonl",
    by: "month",
    from: "2001-01-01",
    limit: EVENTS,
  });
  await publishEvents({ host: emulator!.host, project: PROJECT, topic: name, from: sample.files[0].path });
  const warehouse = await DuckDbWarehouse.open(path.join(dir, `${name}.duckdb`));
  const options: StreamJobOptions = {
    schema: "flights",
    subscription: `projects/${PROJECT}/subscriptions/${name}-sub`,
    workDir: dir,
    batchSize: 500,
    idleTimeoutSeconds: 3,
    log: () => undefined,
  };
  return { source, warehouse, options };
}

it_(
  "a short outage is retried with backoff: every event lands once",
  async () => {
    const proxy = await startCountingProxy(workspace.emulator!.host);
    const { source, warehouse, options } = await backlog("blip", proxy);
    let outages = 0;
    const onBatch = () => {
      if (outages++ > 0) return;
      proxy.setDown(true); // after the first commit: its ack and the next pulls fail, until two pulls were dropped
      const bringBack = setInterval(
        () => proxy.dropped(":pull") >= 2 && (clearInterval(bringBack), proxy.setDown(false)),
        50,
      );
    };
    try {
      const summary = await runStreamJob(
        { ...options, onBatch, retry: { initialDelayMs: 50, budgetMs: 60_000 } },
        source,
        warehouse,
      );
      expect(proxy.dropped(":pull")).toBeGreaterThanOrEqual(2);
      expect(summary.written).toBe(EVENTS);
      expect(unaccounted(summary)).toBe(0);
      const [events] = await warehouse.query("SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM flights");
      expect(events).toStrictEqual({ n: String(EVENTS), ids: String(EVENTS) });
      expect(unhandled).toEqual([]);
    } finally {
      await warehouse.close();
      await proxy.close();
    }
  },
  120_000,
);

it_(
  "a source that stays unreachable ends the job with exit 5 and one line, after committing what it had",
  async () => {
    const proxy = await startCountingProxy(workspace.emulator!.host);
    const { source, warehouse, options } = await backlog("gone", proxy);
    const onBatch = () => proxy.setDown(true);
    try {
      const error = await runStreamJob(
        { ...options, onBatch, retry: { initialDelayMs: 50, budgetMs: 2_000 } },
        source,
        warehouse,
      ).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(error?.name).toBe("SourceUnavailableError");
      expect(exitCodeOf(error)).toBe(5);
      expect(error?.message).not.toContain("\n");
      expect(error?.message).toMatch(
        /stayed unreachable: pull failed \d+ times .*; this run committed what it had read \([\d,]+ messages/,
      );
      // What it committed (the first batch, and the one already pulled when the source went away) is in the tables,
      // and its job_runs row reconciles.
      const [run] = await warehouse.query(
        `SELECT "read", written, "deadLettered", duplicates FROM job_runs WHERE job = 'stream'`,
      );
      expect(error?.message).toContain(`read (${Number(run.read).toLocaleString("en-US")} messages`);
      expect(Number(run.read)).toBeGreaterThanOrEqual(500);
      expect(Number(run.read)).toBeLessThan(EVENTS);
      expect(Number(run.read)).toBe(Number(run.written) + Number(run.deadLettered) + Number(run.duplicates));
      const [events] = await warehouse.query("SELECT count(*) AS n FROM flights");
      expect(Number(events.n)).toBe(Number(run.written));
      expect(unhandled).toEqual([]);
    } finally {
      await warehouse.close();
      await proxy.close();
    }
  },
  120_000,
);
