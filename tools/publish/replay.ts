import { listInputs } from "../../io/files/list-files";
import type { SkippedInput } from "../../io/ports";
import { MAX_PUBLISH_MESSAGES, topicName } from "../../io/pubsub/requests";
import { PubSubRestClient } from "../../io/pubsub/rest-client";
import { planMessages, type PlannedMessage, type PlanOptions } from "./plan";

export interface PublishEventsOptions extends PlanOptions {
  /** The emulator, `127.0.0.1:<port>`. */
  host: string;
  project: string;
  topic: string;
  /** A JSONL file, a folder or a glob of flight event files. */
  from: string;
  /** Messages per second, duplicates included (default: as fast as the emulator takes them). */
  rate?: number;
  /** Before the first publish: whether anything will receive the messages (Pub/Sub drops them otherwise). */
  onStart?: (info: { files: string[]; skipped: SkippedInput[]; subscriptions: string[] }) => void;
  onProgress?: (progress: PublishProgress) => void;
}

export interface PublishProgress {
  /** Messages published, duplicates included. */
  published: number;
  /** Of those, copies of a message published before. */
  duplicatesPublished: number;
  elapsedMs: number;
}

export interface PublishResult {
  published: number;
  duplicatesPublished: number;
  seconds: number;
}

/** With a rate, one request every ~100 ms, sized to the rate. */
const TICK_MS = 100;

/** Replays event files onto a topic (created if missing), in order or shuffled within bounds, at a rate, with duplicates. */
export async function publishEvents(options: PublishEventsOptions): Promise<PublishResult> {
  topicName(options.project, options.topic); // checked by Google's rules before the files are even listed
  const client = new PubSubRestClient(options.host, options.project);
  const { files, skipped } = listInputs(options.from);
  await client.createTopic(options.topic);
  options.onStart?.({ files, skipped, subscriptions: await client.listTopicSubscriptions(options.topic) });
  const startedAt = Date.now();
  const progress: PublishProgress = { published: 0, duplicatesPublished: 0, elapsedMs: 0 };
  for (const batch of batches(planMessages(files, options), publishBatchSize(options.rate))) {
    await client.publish(
      options.topic,
      batch.map((planned) => planned.message),
    );
    progress.published += batch.length;
    progress.duplicatesPublished += batch.filter((planned) => planned.duplicate).length;
    progress.elapsedMs = Date.now() - startedAt;
    options.onProgress?.({ ...progress });
    await paceTo(progress.published, options.rate, startedAt);
  }
  return {
    published: progress.published,
    duplicatesPublished: progress.duplicatesPublished,
    seconds: (Date.now() - startedAt) / 1000,
  };
}

export function publishBatchSize(rate: number | undefined): number {
  if (rate === undefined) return MAX_PUBLISH_MESSAGES;
  return Math.min(MAX_PUBLISH_MESSAGES, Math.max(1, Math.round((rate * TICK_MS) / 1000)));
}

function* batches(planned: Iterable<PlannedMessage>, size: number): Generator<PlannedMessage[]> {
  let batch: PlannedMessage[] = [];
  for (const item of planned) {
    batch.push(item);
    if (batch.length < size) continue;
    yield batch;
    batch = [];
  }
  if (batch.length > 0) yield batch;
}

/** Waits until `count` messages are due at `rate` since `startedAt`, so the average rate holds whatever each request took. */
async function paceTo(count: number, rate: number | undefined, startedAt: number): Promise<void> {
  if (rate === undefined) return;
  const wait = startedAt + (count / rate) * 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
