import * as fs from "fs";
import * as path from "path";
import { stagedPathsIn } from "../../pipelines/chunk-run";
import { moveRepeatedIdsToDuplicates } from "../../pipelines/flink/staged-first-of-id";
import { readJsonLines } from "../../io/files/json-lines";
import { tempDir } from "../support/temp";

const work = tempDir("staged-first-of-id");
afterAll(() => work.cleanup());

test("the first staged row of each id stays an event; later ones become staged duplicates after the graph's own", () => {
  const paths = stagedPathsIn(path.join(work.dir, "run"));
  const row = (id: string, messageId: string) => ({
    event_id: id,
    delay: 1,
    _source: `projects/p/subscriptions/s#${messageId}`,
  });
  const rows = [row("a", "1"), row("b", "2"), row("a", "3"), row("c", "4"), row("a", "5")];
  fs.writeFileSync(paths.events, rows.map((r) => JSON.stringify(r) + "\n").join(""));
  const own = { id: "d", source: "projects/p/subscriptions/s#6", duplicateOf: "projects/p/subscriptions/s#7" };
  fs.writeFileSync(paths.duplicates, JSON.stringify(own) + "\n");

  expect(moveRepeatedIdsToDuplicates(paths, "event_id")).toBe(2);

  expect([...readJsonLines(paths.events)]).toStrictEqual([rows[0], rows[1], rows[3]]);
  expect([...readJsonLines(paths.duplicates)]).toStrictEqual([
    own,
    { id: "a", source: "projects/p/subscriptions/s#3", duplicateOf: "projects/p/subscriptions/s#1" },
    { id: "a", source: "projects/p/subscriptions/s#5", duplicateOf: "projects/p/subscriptions/s#1" },
  ]);
  expect(fs.readdirSync(path.dirname(paths.events)).sort()).toStrictEqual([
    "dead-letters.jsonl",
    "duplicates.jsonl",
    "events.jsonl",
  ]);
});
