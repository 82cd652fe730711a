import { recordBenchResult } from "../result-file";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator } from "../../io/pubsub/emulator";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { publishEvents } from "../../tools/publish/replay";
import { writeFlightSample } from "../../tools/sample/flights";
import { runStreamJob, type BatchEvent } from "../../pipelines/stream-job";
import { DEFAULTS } from "../../pipelines/stream-settings";
import type { MessageSource } from "../../io/ports";
import { startCountingProxy } from "../counting-proxy";
import { streamModelFeed } from "../../launcher/models/stream-model";
import { copyOf, modelWarehouse } from "./model";

/**
 * The stream benchmark (not a test), in one run on one emulator: (1) the emulator's bare long-poll pull rate — a plain
 * client pulling (the sources' long polls) and acking without processing; (2) the streaming job draining the same
 * backlog, published before it starts, until it stops idle (`idleTimeoutSeconds` 10, as `rox stream --idle-timeout
 * 10`), both taking the same number of messages per pull; (3) publish→queryable latency (commit time − publish time of
 * every message) at a fixed publish rate, then (3b) the same with `--score flights-delay@champion` (a model trained and
 * registered first; both runs start from a copy of the same warehouse): publish → prediction queryable, since the
 * predictions commit with their events; (4) what an idle job costs: pull requests per second reaching the emulator.
 */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const WORK = path.join(ROOT, ".rox", "bench", "stream");
const PROJECT = "rox-bench";
/** Messages per pull for both the bare client and the job (`ROX_BATCH_SIZE` to compare; the job's default is 5000). */
const BATCH_SIZE = Number(process.env.ROX_BATCH_SIZE ?? 5000);
/** The job's micro-batch time bound (`rox stream --batch-window-ms`; `ROX_BATCH_WINDOW_MS=0` turns it off). */
const BATCH_WINDOW_MS =
  process.env.ROX_BATCH_WINDOW_MS === undefined ? undefined : Number(process.env.ROX_BATCH_WINDOW_MS);
const IDLE_SECONDS = 30;

async function main(backlog: number, rate: number, seconds: number): Promise<void> {
  fs.rmSync(WORK, { recursive: true, force: true });
  const events = path.join(WORK, "events");
  await writeFlightSample({
    outDir: events,
    format: "jsonl",
    by: "month",
    from: "2001-01-01",
    limit: Math.max(backlog, rate * seconds),
  });
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  const emulator = await startEmulator({ stateFile: path.join(WORK, "emulator.json") });
  try {
    const bare = await barePullRate(emulator.host, events, backlog);
    const job = await drainRate(emulator.host, events, backlog);
    const model = await modelWarehouse(WORK);
    const latency = await latencyAtRate(emulator.host, events, { rate, seconds, file: copyOf(model, "live") });
    const scoredRun = { rate, seconds, file: copyOf(model, "scored"), store: model.store };
    const scored = await latencyAtRate(emulator.host, events, scoredRun);
    const idle = await idlePullsPerSecond(emulator.host, IDLE_SECONDS);
    const window = BATCH_WINDOW_MS ?? DEFAULTS.batchWindowMs;
    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ");
    console.log(`micro-batch: up to ${BATCH_SIZE} messages, window ${window} ms; load average now ${load}`);
    console.log(`backlog ${backlog.toLocaleString("en-US")} real flights, published before the job starts`);
    console.log(`bare long-poll pull+ack: ${bare.toLocaleString("en-US")} msg/s`);
    console.log(
      `stream job drain:        ${job.rate.toLocaleString("en-US")} events/s to its last commit  (${(job.rate / bare).toFixed(2)} of bare; ${job.read.toLocaleString("en-US")} read, ${job.written.toLocaleString("en-US")} written, stopped idle after ${job.seconds.toFixed(1)} s)`,
    );
    console.log(`idle job:                ${idle.toFixed(2)} pull requests/s at the emulator (over ${IDLE_SECONDS} s)`);
    console.log(
      `latency at ${rate}/s:  p50 ${latency.p50.toFixed(3)} s  p99 ${latency.p99.toFixed(3)} s  (goal p99 ≤ 1 s; ${latency.count.toLocaleString("en-US")} events)`,
    );
    const ratio = `p99 ${(scored.p99 / latency.p99).toFixed(2)} × unscored`;
    console.log(
      `scored (--score flights-delay@champion), publish → prediction queryable at ${rate}/s:  p50 ${scored.p50.toFixed(3)} s  p99 ${scored.p99.toFixed(3)} s  (${ratio}; ${scored.predictions.toLocaleString("en-US")} predictions)`,
    );
    recordBenchResult("stream", { backlog, rate, bare, job, drainPerBare: job.rate / bare, idle, latency, scored });
  } finally {
    await emulator.stop();
  }
}

async function backlogOn(host: string, name: string, events: string, limit: number): Promise<MessageSource> {
  const source = await openSubscription({
    host,
    project: PROJECT,
    subscription: `${name}-sub`,
    topic: `${name}-topic`,
  });
  const file = fs
    .readdirSync(events)
    .map((f) => path.join(events, f))
    .sort()[0];
  const slice = path.join(WORK, `${name}.jsonl`);
  fs.writeFileSync(slice, fs.readFileSync(file, "utf8").split("\n").slice(0, limit).join("\n") + "\n");
  await publishEvents({ host, project: PROJECT, topic: `${name}-topic`, from: slice });
  return source;
}

async function barePullRate(host: string, events: string, backlog: number): Promise<number> {
  const source = await backlogOn(host, "bare", events, backlog);
  const started = Date.now();
  let received = 0;
  while (received < backlog) {
    const messages = await source.pull(BATCH_SIZE);
    if (messages.length) await source.ack(messages.map((m) => m.ackId));
    received += messages.length;
  }
  return Math.round(received / ((Date.now() - started) / 1000));
}

/** The job as `rox stream --idle-timeout 10` runs it: until idle; the rate counts up to its last commit. */
async function drainRate(
  host: string,
  events: string,
  backlog: number,
): Promise<{ rate: number; read: number; written: number; seconds: number }> {
  const source = await backlogOn(host, "job", events, backlog);
  const warehouse = await DuckDbWarehouse.open(path.join(WORK, "job.duckdb"));
  try {
    const started = Date.now();
    let lastCommit = started;
    const onBatch = (e: BatchEvent) => void (lastCommit = e.committedAt);
    const options = {
      schema: "flights",
      subscription: `projects/${PROJECT}/subscriptions/job-sub`,
      idleTimeoutSeconds: 10,
      workDir: WORK,
      batchSize: BATCH_SIZE,
      batchWindowMs: BATCH_WINDOW_MS,
      onBatch,
    };
    const summary = await runStreamJob(options, source, warehouse);
    const rate = Math.round(summary.read / ((lastCommit - started) / 1000));
    return { rate, read: summary.read, written: summary.written, seconds: (Date.now() - started) / 1000 };
  } finally {
    await warehouse.close();
  }
}

/** An idle job on an empty subscription, its requests counted by a proxy in front of the emulator. */
async function idlePullsPerSecond(host: string, seconds: number): Promise<number> {
  const proxy = await startCountingProxy(host);
  const warehouse = await DuckDbWarehouse.open(path.join(WORK, "idle.duckdb"));
  try {
    const source = await openSubscription({
      host: proxy.host,
      project: PROJECT,
      subscription: "idle-sub",
      topic: "idle-topic",
    });
    const started = Date.now();
    await runStreamJob(
      {
        schema: "flights",
        subscription: `projects/${PROJECT}/subscriptions/idle-sub`,
        idleTimeoutSeconds: seconds,
        workDir: WORK,
      },
      source,
      warehouse,
    );
    return proxy.count(":pull") / ((Date.now() - started) / 1000);
  } finally {
    await warehouse.close();
    await proxy.close();
  }
}

/** The publisher runs in its own process at the fixed rate while the job consumes in this one. */
interface LatencyRun {
  rate: number;
  seconds: number;
  /** The warehouse file (a copy of the prepared one); with `store`, the job scores with flights-delay@champion. */
  file: string;
  store?: string;
}

async function latencyAtRate(
  host: string,
  events: string,
  run: LatencyRun,
): Promise<{ p50: number; p99: number; count: number; predictions: number }> {
  const { rate, seconds } = run;
  const name = run.store ? "scored" : "live";
  const source = await openSubscription({
    host,
    project: PROJECT,
    subscription: `${name}-sub`,
    topic: `${name}-topic`,
  });
  const file = fs
    .readdirSync(events)
    .map((f) => path.join(events, f))
    .sort()[0];
  const slice = path.join(WORK, `${name}.jsonl`);
  fs.writeFileSync(
    slice,
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .slice(0, rate * seconds)
      .join("\n") + "\n",
  );
  const rox = path.join(ROOT, "bin", "rox.js");
  const publisher = spawn(
    process.execPath,
    [
      rox,
      "publish",
      "--topic",
      `${name}-topic`,
      "--from",
      slice,
      "--rate",
      String(rate),
      "--host",
      host,
      "--project",
      PROJECT,
    ],
    { stdio: "ignore" },
  );
  const latencies: number[] = [];
  const warehouse = await DuckDbWarehouse.open(run.file);
  let predictions: number;
  try {
    const onBatch = (e: BatchEvent) => e.publishTimes.forEach((t) => latencies.push((e.committedAt - t) / 1000));
    const summary = await runStreamJob(
      {
        schema: "flights",
        subscription: `projects/${PROJECT}/subscriptions/${name}-sub`,
        score: run.store ? feed(run, warehouse) : undefined,
        maxMessages: rate * seconds,
        idleTimeoutSeconds: 10,
        workDir: WORK,
        onBatch,
        batchSize: BATCH_SIZE,
        batchWindowMs: BATCH_WINDOW_MS,
      },
      source,
      warehouse,
    );
    predictions = summary.byTable.flights_predictions ?? 0;
  } finally {
    await warehouse.close();
    publisher.kill();
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), count: latencies.length, predictions };
}

function feed(run: LatencyRun, warehouse: DuckDbWarehouse) {
  const ref = { name: "flights-delay", alias: "champion" };
  const options = { ref, schema: "flights", target: { kind: "duckdb" as const, file: run.file }, store: run.store };
  return streamModelFeed({ ...options, log: (line: string) => console.error(line) }, warehouse);
}

const [backlog = "100000", rate = "5000", seconds = "20"] = process.argv.slice(2);
main(Number(backlog), Number(rate), Number(seconds)).catch((err) => {
  console.error(err);
  process.exit(1);
});
