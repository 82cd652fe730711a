import { MemoryPubSub } from "../../io/memory/memory-pubsub";
import type { MessageSource, PulledMessage } from "../../io/ports";
import { pullInPolls } from "../../io/pubsub/long-poll";
import { pullLoop, type PullLoopSettings } from "../../pipelines/stream-pull-loop";
import { DEFAULT_RETRY } from "../../pipelines/source-retry";

// The micro-batch loop on the in-memory Pub/Sub: what forms a batch, and when it closes.

const SUB = "loop-sub";

/** `publishedAgoMs`: how long before now the memory Pub/Sub's clock says its messages were published. */
function subscriptionWith(count: number, publishedAgoMs = 0): MemoryPubSub {
  const pubsub = new MemoryPubSub(() => Date.now() - publishedAgoMs);
  pubsub.createTopic("loop");
  pubsub.createSubscription(SUB, "loop");
  publish(pubsub, count);
  return pubsub;
}

function publish(pubsub: MemoryPubSub, count: number): void {
  pubsub.publish(
    "loop",
    Array.from({ length: count }, (_, i) => ({ data: Buffer.from(`m${i}`).toString("base64") })),
  );
}

/** The memory subscription's source, pulling as the real sources do (`pullInPolls`, here 10 a request). */
function polledSource(pubsub: MemoryPubSub, pollDelayMs = 0): MessageSource {
  const base = pubsub.source(SUB);
  const poll = async (size: number, wait: number) => {
    if (pollDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, pollDelayMs));
    return pubsub.pollFor(SUB, size, wait);
  };
  const pull: MessageSource["pull"] = (max, wait, onLost, stopFilling) =>
    pullInPolls(max, 10, wait, poll, onLost, stopFilling && ((received) => stopFilling(received[0].publishTime)));
  return { ...base, pull };
}

/** Counts what the source handed out, and lets a test wait until it has handed out `n` messages. */
function counted(source: MessageSource) {
  let pulled = 0;
  let waiters: { n: number; resolve: () => void }[] = [];
  const pull: MessageSource["pull"] = async (...args) => {
    const messages = await source.pull(...args);
    pulled += messages.length;
    waiters = waiters.filter((w) => (pulled >= w.n ? void w.resolve() : true));
    return messages;
  };
  const pulledAtLeast = (n: number) => new Promise<void>((resolve) => waiters.push({ n, resolve }));
  return { source: { ...source, pull }, pulledAtLeast };
}

function settings(batchSize: number, batchWindowMs: number, maxMessages: number): PullLoopSettings {
  return { batchSize, batchWindowMs, maxMessages, idleTimeoutSeconds: 10, retry: DEFAULT_RETRY, log: () => undefined };
}

async function acking(pubsub: MemoryPubSub, messages: PulledMessage[]): Promise<void> {
  pubsub.acknowledge(
    SUB,
    messages.map((m) => m.ackId),
  );
}

describe("the streaming job's micro-batch loop", () => {
  test("what is pulled while a batch is processed is the next batch, however many pulls brought it", async () => {
    const pubsub = subscriptionWith(10);
    const { source, pulledAtLeast } = counted(pubsub.source(SUB));
    const batches: number[] = [];
    const handle = async (messages: PulledMessage[], index: number) => {
      batches.push(messages.length);
      if (index === 0) {
        publish(pubsub, 30);
        await pulledAtLeast(40); // pulled while this batch is still in hand
        publish(pubsub, 20);
        await pulledAtLeast(60);
      }
      await acking(pubsub, messages);
    };
    const reason = await pullLoop(settings(5000, 250, 60), source, undefined, handle, () => false);
    expect(reason).toBe("max-messages");
    expect(batches).toEqual([10, 50]);
  });

  test("a batch never exceeds its size: a backlog pulled meanwhile waits for the next one", async () => {
    const pubsub = subscriptionWith(5);
    const { source, pulledAtLeast } = counted(pubsub.source(SUB));
    const batches: number[] = [];
    const handle = async (messages: PulledMessage[], index: number) => {
      batches.push(messages.length);
      if (index === 0) {
        publish(pubsub, 120);
        await pulledAtLeast(5 + 50);
      }
      await acking(pubsub, messages);
    };
    await pullLoop(settings(50, 0, 125), source, undefined, handle, () => false);
    expect(batches).toEqual([5, 50, 50, 20]);
  });

  test.each([
    [0, "fills until full: one batch"],
    [1, "closes the batch once its window has passed, while the loop waits for it"],
  ])("live traffic, window %i ms: %s", async (windowMs) => {
    // Publish times a minute ahead of this clock (a server clock ahead of ours): the messages count as live traffic
    // however slowly this machine runs the test.
    const pubsub = subscriptionWith(500, -60_000);
    const batches: number[] = [];
    const handle = async (messages: PulledMessage[]) => {
      batches.push(messages.length);
      await acking(pubsub, messages);
    };
    // Each request takes 20 ms, so a fill round always ends past a 1 ms window.
    await pullLoop(settings(500, windowMs, 500), polledSource(pubsub, 20), undefined, handle, () => false);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(500);
    if (windowMs === 0) expect(batches).toEqual([500]);
    else expect(batches[0]).toBeLessThanOrEqual(10 + 10 * 10); // the first request, then at most one round
    expect(pubsub.pull(SUB, 1000)).toEqual([]); // everything acked, nothing left behind
  });

  test("a backlog published long before the window fills whole batches: fewer fixed costs catch up sooner", async () => {
    const pubsub = subscriptionWith(500, 60_000);
    const batches: number[] = [];
    const handle = async (messages: PulledMessage[]) => {
      batches.push(messages.length);
      await acking(pubsub, messages);
    };
    await pullLoop(settings(500, 1, 500), polledSource(pubsub, 20), undefined, handle, () => false);
    expect(batches).toEqual([500]);
  });

  test("stops when asked, after committing what its pull in flight brought", async () => {
    const pubsub = subscriptionWith(30);
    let stop = false;
    const handled: number[] = [];
    const handle = async (messages: PulledMessage[]) => {
      handled.push(messages.length);
      stop = true;
      await acking(pubsub, messages);
    };
    const reason = await pullLoop(settings(20, 250, 1000), pubsub.source(SUB), undefined, handle, () => stop);
    expect(reason).toBe("stop-requested");
    expect(handled.reduce((a, b) => a + b, 0)).toBe(30);
  });
});
