import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator } from "../../io/pubsub/emulator";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { publishEvents } from "../../launcher/publish/replay";
import { writeFlightSample } from "../../launcher/sample/flights";
import { runStreamJob, type BatchEvent } from "../../pipelines/stream-job";
import type { MessageSource } from "../../io/ports";

/**
 * The stream benchmark (not a test), in one run on one emulator: (1) the emulator's bare synchronous pull rate — a plain
 * client pulling and acking without processing; (2) the streaming job's end-to-end rate over the same
 * backlog, both taking the same number of messages per pull; (3) publish→queryable latency (commit time − publish time of every message) at a fixed publish rate.
 */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const WORK = path.join(ROOT, ".rox", "bench", "stream");
const PROJECT = "rox-bench";
/** Messages per pull for both the bare client and the job (`ROX_BATCH_SIZE` to compare; the job's default is 5000). */
const BATCH_SIZE = Number(process.env.ROX_BATCH_SIZE ?? 5000);

async function main(backlog: number, rate: number, seconds: number): Promise<void> {
  fs.rmSync(WORK, { recursive: true, force: true });
  const events = path.join(WORK, "events");
  await writeFlightSample({ outDir: events, format: "jsonl", by: "month", from: "2001-01-01", limit: Math.max(backlog, rate * seconds) });
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
  const emulator = await startEmulator({ stateFile: path.join(WORK, "emulator.json") });
  try {
    const bare = await barePullRate(emulator.host, events, backlog);
    const job = await jobRate(emulator.host, events, backlog);
    const latency = await latencyAtRate(emulator.host, events, rate, seconds);
    console.log(`backlog ${backlog.toLocaleString("en-US")} real flights`);
    console.log(`bare pull+ack:       ${bare.toLocaleString("en-US")} msg/s`);
    console.log(`stream job:          ${job.toLocaleString("en-US")} events/s  (${(job / bare).toFixed(2)} of bare; goal ≥ 0.8)`);
    console.log(`latency at ${rate}/s:  p50 ${latency.p50.toFixed(3)} s  p99 ${latency.p99.toFixed(3)} s  (goal p99 ≤ 1 s; ${latency.count.toLocaleString("en-US")} events)`);
  } finally {
    await emulator.stop();
  }
}

async function backlogOn(host: string, name: string, events: string, limit: number): Promise<MessageSource> {
  const source = await openSubscription({ host, project: PROJECT, subscription: `${name}-sub`, topic: `${name}-topic` });
  const file = fs.readdirSync(events).map((f) => path.join(events, f)).sort()[0];
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

async function jobRate(host: string, events: string, backlog: number): Promise<number> {
  const source = await backlogOn(host, "job", events, backlog);
  const warehouse = await DuckDbWarehouse.open(path.join(WORK, "job.duckdb"));
  try {
    const started = Date.now();
    const summary = await runStreamJob({ schema: "flights", subscription: `projects/${PROJECT}/subscriptions/job-sub`, maxMessages: backlog, workDir: WORK, batchSize: BATCH_SIZE }, source, warehouse);
    return Math.round(summary.read / ((Date.now() - started) / 1000));
  } finally {
    await warehouse.close();
  }
}

/** The publisher runs in its own process at the fixed rate while the job consumes in this one. */
async function latencyAtRate(host: string, events: string, rate: number, seconds: number): Promise<{ p50: number; p99: number; count: number }> {
  const source = await openSubscription({ host, project: PROJECT, subscription: "live-sub", topic: "live-topic" });
  const file = fs.readdirSync(events).map((f) => path.join(events, f)).sort()[0];
  const slice = path.join(WORK, "live.jsonl");
  fs.writeFileSync(slice, fs.readFileSync(file, "utf8").split("\n").slice(0, rate * seconds).join("\n") + "\n");
  const rox = path.join(ROOT, "bin", "rox.js");
  const publisher = spawn(process.execPath, [rox, "publish", "--topic", "live-topic", "--from", slice, "--rate", String(rate), "--host", host, "--project", PROJECT], { stdio: "ignore" });
  const latencies: number[] = [];
  const warehouse = await DuckDbWarehouse.open(path.join(WORK, "live.duckdb"));
  try {
    const onBatch = (e: BatchEvent) => e.publishTimes.forEach((t) => latencies.push((e.committedAt - t) / 1000));
    await runStreamJob({ schema: "flights", subscription: `projects/${PROJECT}/subscriptions/live-sub`, maxMessages: rate * seconds, idleTimeoutSeconds: 10, workDir: WORK, onBatch, batchSize: BATCH_SIZE }, source, warehouse);
  } finally {
    await warehouse.close();
    publisher.kill();
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), count: latencies.length };
}

const [backlog = "100000", rate = "5000", seconds = "20"] = process.argv.slice(2);
main(Number(backlog), Number(rate), Number(seconds)).catch((err) => {
  console.error(err);
  process.exit(1);
});
