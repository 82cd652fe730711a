import * as fs from "fs";
import * as path from "path";
import { oneOf, optionalNumber, parseFlags, requireFlag } from "../args";
import {
  onlyForPortable,
  portableRunner,
  runnerFlags,
  runnerUsage,
  runOnFlink,
  submitToDataflow,
} from "./runner-flags";
import type { MessageSource, Warehouse } from "../../io/ports";
import type { ModelFeed } from "../../pipelines/stream-score";
import type { StreamMonitor } from "../monitor/stream-windows";
import { resolveEmulatorHost } from "../emulator-host";
import { UsageError } from "../errors";
import { reportSummary } from "./batch";
import { warehouseFlags, warehouseTarget, withWarehouse, type WarehouseTarget } from "../warehouse";
import type { BatchEvent } from "../../pipelines/stream-job";
import type { JobSummary } from "../../transforms/summary";

export const streamUsage = `rox stream --subscription <name> --schema <name> [--topic <name>]
          [--warehouse <file.duckdb>|bigquery [--dataset D [--location L] [--bigquery-endpoint URL]]]
          [--max-messages N] [--idle-timeout S] [--batch-size N] [--batch-window-ms MS] [--max-attempts N]
          [--ack-deadline S] [--summary <file.json>]
          [--project <id>] [--source emulator|pubsub] [--host <host:port>] [--state-file <file>] [--schemas-dir <dir>]
          [--score <model>@<alias|version> [--store <dir>] [--config <file>]]   (predictions committed with the events;
           --runner dataflow: the version the alias names at launch, pinned for the job, --store gs://…)
          [--monitor]   (with --score: each hourly window the stream closes is monitored, as rox monitor --window)
          (--source pubsub reads an existing subscription through Google's client: Pub/Sub with Application Default
           Credentials, or the emulator at --host)
          ${runnerUsage}`;

const DEFAULT_PROJECT = "rox-local";

/** `rox stream`: the streaming job on the local runner — Pub/Sub emulator → micro-batches → DuckDB warehouse. */
export async function streamCommand(argv: string[]): Promise<JobSummary | undefined> {
  const { values } = parseFlags(argv, {
    subscription: { type: "string" },
    topic: { type: "string" },
    schema: { type: "string" },
    ...warehouseFlags,
    "max-messages": { type: "string" },
    "idle-timeout": { type: "string" },
    "batch-size": { type: "string" },
    "batch-window-ms": { type: "string" },
    "max-attempts": { type: "string" },
    "ack-deadline": { type: "string" },
    summary: { type: "string" },
    project: { type: "string" },
    source: { type: "string" },
    host: { type: "string" },
    "state-file": { type: "string" },
    "schemas-dir": { type: "string" },
    score: { type: "string" },
    monitor: { type: "boolean" },
    store: { type: "string" },
    config: { type: "string" },
    ...runnerFlags,
  });
  const runner = portableRunner(values);
  if (runner === "flink" && values.score)
    throw new UsageError("--score runs on the local runner and --runner dataflow (not yet --runner flink)");
  if (runner && values.monitor)
    throw new UsageError(`--monitor watches the local stream only (not --runner ${runner})`);
  if (values.monitor && !values.score)
    throw new UsageError("--monitor watches the model the stream scores with: give --score <model>@<alias> too");
  if (runner) {
    const subscription = requireFlag(values.subscription, "subscription");
    const fullName = subscription.startsWith("projects/")
      ? subscription
      : `projects/${values.project ?? (runner === "flink" ? DEFAULT_PROJECT : requireFlag(values.project, "project"))}/subscriptions/${subscription}`;
    if (runner === "dataflow") {
      const own = {
        subscription: fullName,
        schema: requireFlag(values.schema, "schema"),
        location: values.location,
        maxDeliveryAttempts: values["max-attempts"],
        ...(values.score ? await pinnedModel(values) : {}),
      };
      // With --score, --bigquery-endpoint is where the registry is read (an emulator's), not a Dataflow setting.
      const { "bigquery-endpoint": registryEndpoint, ...forDataflow } = values;
      const checked = onlyForPortable(
        values.score ? forDataflow : { ...forDataflow, "bigquery-endpoint": registryEndpoint },
      );
      return void (await submitToDataflow("stream", checked, own));
    }
    return streamOnFlink(values, fullName);
  }
  const project = values.project ?? DEFAULT_PROJECT;
  const target = warehouseTarget(values);
  if (values.score) (await import("../models/stream-model")).checkScoreTarget(target);
  const subscription = requireFlag(values.subscription, "subscription");
  const maxDeliveryAttempts = optionalNumber(values["max-attempts"], "max-attempts");
  const source = await openSource(values, { project, subscription, maxDeliveryAttempts });
  const { runStreamJob } = await import("../../pipelines/stream-job");
  const run = withWarehouse(target, async (warehouse) => {
    const score = values.score ? await modelFeed(values, target, warehouse) : undefined;
    const monitor = values.monitor && score ? await windowMonitor(values, target, warehouse, score) : undefined;
    const summary = await runStreamJob(
      {
        schema: requireFlag(values.schema, "schema"),
        schemasDir: values["schemas-dir"],
        subscription: `projects/${project}/subscriptions/${subscription}`,
        maxMessages: optionalNumber(values["max-messages"], "max-messages"),
        idleTimeoutSeconds: optionalNumber(values["idle-timeout"], "idle-timeout"),
        batchSize: optionalNumber(values["batch-size"], "batch-size"),
        batchWindowMs: optionalNumber(values["batch-window-ms"], "batch-window-ms"),
        maxDeliveryAttempts,
        onBatch: batchReporter(values.summary),
        stopSignal: stopOnSignal(),
        score,
        afterBatch: monitor?.afterBatch,
      },
      source,
      warehouse,
    );
    if (monitor) reportOpenWindows(monitor.open());
    reportSummary(summary, values.summary);
    return summary;
  });
  return run.finally(() => source.close());
}

/**
 * `--score` with `--runner dataflow`: the version the reference names now, in the registry of the job's dataset
 * (`--bigquery-endpoint`: an emulator's, for the registry only), pinned in the job's parameters.
 */
async function pinnedModel(values: {
  score?: string;
  schema?: string;
  store?: string;
  config?: string;
  project?: string;
  dataset?: string;
  location?: string;
  "bigquery-endpoint"?: string;
}) {
  const { pinStreamModel } = await import("../models/stream-model");
  const { parseModelRef } = await import("../models/model-ref");
  const { storeOf } = await import("./models");
  const target: WarehouseTarget = {
    kind: "bigquery",
    projectId: requireFlag(values.project, "project"),
    dataset: requireFlag(values.dataset, "dataset"),
    ...(values.location ? { location: values.location } : {}),
    ...(values["bigquery-endpoint"] ? { apiEndpoint: values["bigquery-endpoint"] } : {}),
  };
  const ref = parseModelRef(values.score!);
  const schema = requireFlag(values.schema, "schema");
  return pinStreamModel({ ref, schema, target, store: values.store ?? storeOf(values.config) });
}

/** `--score`: the registry's model for the job, resolved again before each micro-batch. */
async function modelFeed(
  values: { score?: string; schema?: string; store?: string; config?: string; "schemas-dir"?: string },
  target: WarehouseTarget,
  warehouse: Warehouse,
): Promise<ModelFeed> {
  const { streamModelFeed } = await import("../models/stream-model");
  const { parseModelRef } = await import("../models/model-ref");
  const { storeOf } = await import("./models");
  const options = {
    ref: parseModelRef(values.score!),
    schema: requireFlag(values.schema, "schema"),
    target,
    store: values.store ?? storeOf(values.config),
    schemasDir: values["schemas-dir"],
    log: (line: string) => console.error(line),
  };
  return streamModelFeed(options, warehouse);
}

/** `--monitor`: the windows of the `--score` model, monitored between micro-batches on the job's warehouse. */
async function windowMonitor(
  values: { score?: string; schema?: string; store?: string; config?: string; "schemas-dir"?: string },
  target: WarehouseTarget,
  warehouse: Warehouse,
  feed: ModelFeed,
): Promise<StreamMonitor> {
  const { streamWindowMonitor } = await import("../monitor/stream-windows");
  const { openRegistry } = await import("../models/open-registry");
  const { storeOf } = await import("./models");
  const registry = openRegistry(warehouse, target, values.store ?? storeOf(values.config));
  const options = {
    model: values.score!,
    schema: requireFlag(values.schema, "schema"),
    schemasDir: values["schemas-dir"],
    config: values.config,
    sql: feed.sql,
    log: (line: string) => console.error(line),
  };
  return streamWindowMonitor(options, warehouse, registry);
}

function reportOpenWindows(open: number[]): void {
  if (open.length === 0) return;
  const hours = open.map((h) => new Date(h).toISOString()).join(", ");
  console.error(`rox stream: still open when the job stopped, not monitored: ${hours} (rox monitor --window <hour>)`);
}

/**
 * The streaming graph on Flink, reading the Pub/Sub emulator (`--host`, or the one `rox emulator start` recorded):
 * it runs until SIGINT/SIGTERM, or until `--idle-timeout` seconds pass without a new row, then is cancelled and what
 * it wrote is landed in the local warehouse.
 */
async function streamOnFlink(
  values: Parameters<typeof onlyForPortable>[0] &
    SourceFlags & { schema?: string; "schemas-dir"?: string; "idle-timeout"?: string; summary?: string },
  subscription: string,
): Promise<JobSummary> {
  const host = await resolveEmulatorHost(values.host, values["state-file"]);
  const { stopWhenIdle } = await import("../../pipelines/flink/stop-when-idle");
  const idleSeconds = optionalNumber(values["idle-timeout"], "idle-timeout");
  const parameters = {
    subscription,
    schema: requireFlag(values.schema, "schema"),
    ...(values["schemas-dir"] ? { schemasDir: values["schemas-dir"] } : {}),
  };
  const stop = (watchDir: string) =>
    Promise.race([stopOnSignal(), ...(idleSeconds ? [stopWhenIdle(watchDir, idleSeconds * 1000)] : [])]);
  const summary = await runOnFlink("stream", onlyForPortable(values), parameters, {
    pubsubRootUrl: `http://${host}`,
    stop,
  });
  reportSummary(summary, values.summary);
  return summary;
}

/**
 * The local default reads the emulator over our REST client and creates the topic and subscription (the emulator forgets
 * them at each restart); `--source pubsub` uses Google's client on a subscription that already exists.
 */
async function openSource(
  values: SourceFlags,
  settings: { project: string; subscription: string; maxDeliveryAttempts?: number },
): Promise<MessageSource> {
  const { openMessageSource } = await import("../../io/open-message-source");
  if (oneOf(values.source, "source", ["emulator", "pubsub"] as const) === "pubsub") {
    return openMessageSource({
      target: "pubsub",
      projectId: settings.project,
      subscription: settings.subscription,
      emulatorHost: values.host,
    });
  }
  const host = await resolveEmulatorHost(values.host, values["state-file"]);
  const ackDeadlineSeconds = optionalNumber(values["ack-deadline"], "ack-deadline");
  return openMessageSource({
    target: "emulator-rest",
    host,
    project: settings.project,
    subscription: settings.subscription,
    topic: values.topic,
    maxDeliveryAttempts: settings.maxDeliveryAttempts,
    ackDeadlineSeconds,
  });
}

interface SourceFlags {
  source?: string;
  host?: string;
  topic?: string;
  "state-file"?: string;
  "ack-deadline"?: string;
}

/** SIGINT/SIGTERM finish the micro-batch in flight (commit, ack), then stop. */
function stopOnSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/** After each micro-batch: the live line (events/s, lag, freshness) and the summary file rewritten atomically. */
function batchReporter(summaryPath: string | undefined): (event: BatchEvent) => void {
  return (event) => {
    printStreamProgress(event);
    if (summaryPath) writeAtomically(summaryPath, JSON.stringify(event.summary, null, 2) + "\n");
  };
}

export function printStreamProgress({ summary, publishTimes, committedAt }: BatchEvent): void {
  const elapsed = (committedAt - Date.parse(summary.startedAt)) / 1000;
  const rate = elapsed > 0 ? Math.round(summary.read / elapsed) : 0;
  const oldest = publishTimes.reduce((a, b) => Math.min(a, b), Infinity);
  const newest = publishTimes.reduce((a, b) => Math.max(a, b), -Infinity);
  const lag = (committedAt - oldest) / 1000;
  const freshness = (committedAt - newest) / 1000;
  const line = `${summary.read.toLocaleString("en-US")} events  ${rate.toLocaleString("en-US")} events/s  lag ${lag.toFixed(2)} s  freshness ${freshness.toFixed(2)} s  written ${summary.written.toLocaleString("en-US")}  dup ${summary.duplicates}  dead ${summary.deadLettered}`;
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}
