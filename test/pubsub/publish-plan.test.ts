import * as fs from "fs";
import * as path from "path";
import { boundedShuffle } from "../../tools/publish/bounded-shuffle";
import { MAX_DUPLICATE_LAG } from "../../tools/publish/duplicates";
import { toEventMessage } from "../../tools/publish/event-message";
import { readLineBuffers } from "../../io/files/line-buffers";
import { planMessages, type PlannedMessage } from "../../tools/publish/plan";
import { seededRandom } from "../../tools/publish/seeded-random";
import { tempDir } from "../support/temp";
import { lateness } from "./disorder";

const START = Date.parse("2001-01-01T00:00:00Z");
const STEP_S = 5;

/** `count` flight-like events, one every 5 s of event time, in order, split over two files. */
function writeEvents(dir: string, count: number): string[] {
  const line = (i: number) =>
    JSON.stringify({ event_id: `e${i}`, date: new Date(START + i * STEP_S * 1000).toISOString(), delay: i % 60 });
  const half = Math.floor(count / 2);
  const files = [path.join(dir, "a.jsonl"), path.join(dir, "b.jsonl")];
  fs.writeFileSync(files[0], Array.from({ length: half }, (_, i) => line(i)).join("\n") + "\n");
  fs.writeFileSync(files[1], Array.from({ length: count - half }, (_, i) => line(half + i)).join("\n"));
  return files;
}

const idOf = (m: PlannedMessage) => m.message.attributes?.event_id;

describe("publish plan", () => {
  const temp = tempDir("publish-plan");
  afterAll(() => temp.cleanup());
  const files = writeEvents(temp.dir, 20_000);

  test("in order and without copies by default; attributes from the event; data is the line as is", () => {
    const plan = [...planMessages(files)];
    expect(plan.map(idOf)).toEqual(Array.from({ length: 20_000 }, (_, i) => `e${i}`));
    expect(plan.every((m) => !m.duplicate)).toBe(true);
    const firstLine = fs.readFileSync(files[0], "utf8").split("\n")[0];
    expect(Buffer.from(plan[0].message.data, "base64").toString()).toBe(firstLine);
    expect(plan[0].message.attributes).toEqual({ event_id: "e0", event_time: "2001-01-01T00:00:00.000Z" });
  });

  test("shuffling is bounded: nothing arrives S seconds or more after a later event, yet order does change", () => {
    const times = [...planMessages(files, { shuffleWithin: 600, seed: 5 })].map((m) => m.eventTimeMs!);
    const late = lateness(times);
    expect(Math.max(...late)).toBeLessThan(600_000);
    expect(late.filter((l) => l > 0).length).toBeGreaterThan(times.length / 4);
    expect([...times].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20_000 }, (_, i) => START + i * STEP_S * 1000),
    );
  });

  test("the shuffle buffers only the window: at most S seconds of events are held", () => {
    const items = Array.from({ length: 5_000 }, (_, i) => ({ eventTimeMs: i * STEP_S * 1000 }));
    let read = 0;
    const counted = (function* () {
      for (const item of items) {
        read++;
        yield item;
      }
    })();
    let [yielded, maxHeld] = [0, 0];
    for (const _item of boundedShuffle(counted, 600_000, seededRandom(3))) {
      yielded++;
      maxHeld = Math.max(maxHeld, read - yielded + 1);
    }
    expect(maxHeld).toBeLessThanOrEqual(600 / STEP_S + 1);
  });

  test("duplicates: the share is near the probability, each copy follows its original closely, and the plan is fixed by the seed", () => {
    const plan = [...planMessages(files, { duplicates: 0.1, seed: 11 })];
    const copies = plan.filter((m) => m.duplicate);
    expect(copies.length).toBeGreaterThan(2_000 - 200); // ±4.5 standard deviations of a binomial(20k, 0.1)
    expect(copies.length).toBeLessThan(2_000 + 200);
    const positions = new Map(plan.filter((m) => !m.duplicate).map((m, i) => [idOf(m), i]));
    let originals = 0;
    for (const m of plan) {
      if (!m.duplicate) originals++;
      else expect(originals - positions.get(idOf(m))!).toBeLessThanOrEqual(MAX_DUPLICATE_LAG + 1);
    }
    expect([...planMessages(files, { duplicates: 0.1, seed: 11 })].map(idOf)).toEqual(plan.map(idOf));
    expect([...planMessages(files, { duplicates: 0.1, seed: 12 })].map(idOf)).not.toEqual(plan.map(idOf));
  });
});

describe("lines and messages", () => {
  const temp = tempDir("publish-lines");
  afterAll(() => temp.cleanup());

  test("lines are read as bytes: blank lines skipped, CRLF trimmed, invalid UTF-8 kept", () => {
    const file = path.join(temp.dir, "odd.jsonl");
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from('{"a":1}\r\n\n  \n'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from("\nlast")]),
    );
    expect([...readLineBuffers(file)].map((b) => b.toString("hex"))).toEqual([
      Buffer.from('{"a":1}').toString("hex"),
      "7bfffe7d",
      Buffer.from("last").toString("hex"),
    ]);
  });

  test("a line across read chunks (>1 MiB) is whole", () => {
    const file = path.join(temp.dir, "long.jsonl");
    const long = JSON.stringify({ event_id: "long", pad: "x".repeat(1_500_000) });
    fs.writeFileSync(file, `${long}\n{"event_id":"next"}\n`);
    expect([...readLineBuffers(file)].map((b) => b.length)).toEqual([long.length, 19]);
  });

  test.each([
    [
      "a flight event",
      '{"event_id":"e1","date":"2001-01-01T00:01:00Z"}',
      { event_id: "e1", event_time: "2001-01-01T00:01:00.000Z" },
      Date.parse("2001-01-01T00:01:00Z"),
    ],
    [
      "an offset date, in UTC",
      '{"event_id":"e2","date":"2001-01-01T02:01:00+02:00"}',
      { event_id: "e2", event_time: "2001-01-01T00:01:00.000Z" },
      Date.parse("2001-01-01T00:01:00Z"),
    ],
    [
      "epoch milliseconds",
      '{"event_id":"e3","date":978307260000}',
      { event_id: "e3", event_time: "2001-01-01T00:01:00.000Z" },
      978307260000,
    ],
    ["a numeric id, a bad date: no event_time", '{"event_id":7,"date":"not a date"}', { event_id: "7" }, undefined],
    ["malformed JSON", '{"event_id":"e1","date":"2001-01-01T00:01:00Z"', {}, undefined],
    ["not an object", '[{"event_id":"e1"}]', {}, undefined],
    ["an empty id", '{"event_id":""}', {}, undefined],
    ["an id over 1,024 bytes", `{"event_id":"${"x".repeat(2000)}"}`, {}, undefined],
  ])("%s → attributes and event time; the data is the line", (_name, line, attributes, eventTimeMs) => {
    const message = toEventMessage(Buffer.from(line));
    expect(message.message.attributes).toEqual(attributes);
    expect(message.eventTimeMs).toBe(eventTimeMs);
    expect(Buffer.from(message.message.data, "base64").toString()).toBe(line);
  });
});
