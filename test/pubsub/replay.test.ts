import * as fs from "fs";
import * as path from "path";
import type { PulledMessage } from "../../io/ports";
import { EmulatorMessageSource } from "../../io/pubsub/emulator-source";
import { publishEvents, publishBatchSize } from "../../tools/publish/replay";
import { startTestEmulator, type TestEmulator } from "../support/pubsub-emulator";
import { tempDir } from "../support/temp";
import { lateness } from "./disorder";
import { itNeeds } from "../support/prerequisites";

const it_ = itNeeds("pubsub-emulator");
const START = Date.parse("2001-01-01T00:00:00Z");

/** 3,000 events a minute apart over three day files, and one malformed line. */
function writeFlightFiles(dir: string): void {
  for (let day = 0; day < 3; day++) {
    const lines = Array.from({ length: 1000 }, (_, i) => {
      const n = day * 1000 + i;
      return JSON.stringify({
        event_id: `f${n}`,
        date: new Date(START + n * 60_000).toISOString(),
        origin: "LAS",
        destination: "PHL",
      });
    });
    fs.writeFileSync(path.join(dir, `flights-2001-01-0${day + 1}.jsonl`), lines.join("\n") + "\n");
  }
  fs.writeFileSync(path.join(dir, "zz-faults.jsonl"), '{"event_id":"bad","date":\n');
}

/** Everything waiting on the subscription, acked, in publish order (the emulator numbers messages as they come). */
async function drain(source: EmulatorMessageSource): Promise<PulledMessage[]> {
  const all: PulledMessage[] = [];
  for (let batch = await source.pull(1000, 2); batch.length > 0; batch = await source.pull(1000, 2)) {
    all.push(...batch);
    await source.ack(batch.map((m) => m.ackId));
  }
  return all.sort((a, b) => Number(a.messageId) - Number(b.messageId));
}

/** The first delivery of each event id: the copies of a retrying publisher dropped. */
function firstOfEachEvent(messages: PulledMessage[]): PulledMessage[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const id = m.attributes.event_id ?? `message:${m.messageId}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

describe("publishing event files to the emulator", () => {
  let emulator: TestEmulator | undefined;
  const temp = tempDir("replay");
  writeFlightFiles(temp.dir);
  beforeAll(async () => {
    emulator = await startTestEmulator();
  }, 60_000);
  afterAll(async () => {
    await emulator?.stop();
    temp.cleanup();
  });

  const subscribe = (topic: string) =>
    EmulatorMessageSource.open({ host: emulator!.host, project: "rox-test", topic, subscription: `${topic}-sub` });
  const publish = (topic: string, options: object = {}) =>
    publishEvents({
      host: emulator!.host,
      project: "rox-test",
      topic,
      from: path.join(temp.dir, "*.jsonl"),
      ...options,
    });

  it_("publishes every line once, with event_id and event_time attributes, the line as the data", async () => {
    const source = await subscribe("plain");
    const starts: { subscriptions: string[] }[] = [];
    const result = await publish("plain", { onStart: (info: { subscriptions: string[] }) => starts.push(info) });
    expect(result).toMatchObject({ published: 3001, duplicatesPublished: 0 });
    expect(starts[0].subscriptions).toEqual(["projects/rox-test/subscriptions/plain-sub"]);
    const messages = await drain(source);
    expect(messages).toHaveLength(3001);
    const first = messages[0];
    expect(first.attributes).toEqual({ event_id: "f0", event_time: "2001-01-01T00:00:00.000Z" });
    expect(JSON.parse(Buffer.from(first.data, "base64").toString())).toMatchObject({ event_id: "f0", origin: "LAS" });
    expect(messages.map((m) => m.attributes.event_id).slice(0, 3000)).toEqual(
      Array.from({ length: 3000 }, (_, i) => `f${i}`),
    );
    expect(messages[3000].attributes).toEqual({}); // the malformed line is published as is, for the consumer to dead-letter
  });

  it_("with duplicates and a bounded shuffle: copies near the probability, out of order by less than S", async () => {
    const source = await subscribe("messy");
    const result = await publish("messy", { duplicates: 0.2, shuffleWithin: 1800, seed: 3 });
    const messages = await drain(source);
    expect(messages).toHaveLength(result.published);
    expect(result.published - result.duplicatesPublished).toBe(3001);
    expect(result.duplicatesPublished).toBeGreaterThan(600 - 100); // binomial(3001, 0.2): sd ≈ 22
    expect(result.duplicatesPublished).toBeLessThan(600 + 100);
    const originals = firstOfEachEvent(messages).filter((m) => m.attributes.event_time !== undefined);
    expect(originals).toHaveLength(3000);
    const late = lateness(originals.map((m) => Date.parse(m.attributes.event_time)));
    expect(Math.max(...late)).toBeLessThan(1800_000);
    expect(late.filter((l) => l > 0).length).toBeGreaterThan(100);
  });

  it_("holds a rate by publishing in timed batches", async () => {
    await subscribe("paced");
    expect(publishBatchSize(2000)).toBe(200);
    const result = await publish("paced", { rate: 2000 });
    expect(result.published).toBe(3001);
    expect(result.seconds).toBeGreaterThan(1.3); // 3,001 at 2,000/s: 1.5 s, the last batch going out at once
    expect(result.seconds).toBeLessThan(4);
  });
});
