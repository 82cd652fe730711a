import * as fs from "fs";
import * as path from "path";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import type { PreparedChunk, Warehouse } from "../../io/ports";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { PubSubRestClient } from "../../io/pubsub/rest-client";
import { publishEvents } from "../../tools/publish/replay";
import { writeFlightSample } from "../../tools/sample/flights";
import { runStreamJob } from "../../pipelines/stream-job";
import type { Contract } from "../../schemas/contract";
import { unaccounted } from "../../transforms/summary";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { itNeeds } from "../support/prerequisites";

// One message that makes its whole micro-batch fail (here the warehouse refuses to commit a staged row, a failure the
// job cannot attribute to a record by itself) costs one dead letter: the batch is retried, then bisected until that
// message fails alone; every other message of the batch lands once.
const workspace = useEmulatorWorkspace("poison");
const it_ = itNeeds("pubsub-emulator");
const GOOD = 3000;
const POISON_ID = "poison:1";

/** The real DuckDB warehouse, except that a commit whose staged events hold the poison row is refused. */
function refusingCommitsOf(inner: Warehouse, eventId: string): Warehouse & { refused: number } {
  const warehouse = {
    refused: 0,
    ensureTables: (contract: Contract) => inner.ensureTables(contract),
    async prepareChunk(...args: Parameters<Warehouse["prepareChunk"]>): Promise<PreparedChunk> {
      const prepared = await inner.prepareChunk(...args);
      const commit: PreparedChunk["commit"] = async (chunk, runSummary) => {
        if (fs.readFileSync(chunk.events, "utf8").includes(`"event_id":"${eventId}"`)) {
          warehouse.refused++;
          throw new Error(`the warehouse refused a staged row (event_id ${eventId})`);
        }
        return prepared.commit(chunk, runSummary);
      };
      return Object.assign(Object.create(prepared) as PreparedChunk, { commit }); // open, abort: the real handle's
    },
    recordRun: (...args: Parameters<Warehouse["recordRun"]>) => inner.recordRun(...args),
    markAbandonedRuns: () => inner.markAbandonedRuns(),
    exportDeadLetters: (...args: Parameters<Warehouse["exportDeadLetters"]>) => inner.exportDeadLetters(...args),
    query: (sql: string) => inner.query(sql),
    close: () => inner.close(),
  };
  return warehouse;
}

it_(
  "a message that fails its micro-batch is isolated by retry and bisection: one dead letter, the rest written once",
  async () => {
    const { emulator, dir } = workspace;
    const project = "rox-test";
    const source = await openSubscription({
      host: emulator!.host,
      project,
      subscription: "poison-sub",
      topic: "poison-events",
    });
    const sample = await writeFlightSample({
      outDir: path.join(dir, "events"),
      format: "jsonl",
      by: "month",
      from: "2001-01-01",
      limit: GOOD,
    });
    const poison = {
      event_id: POISON_ID,
      date: "2001-01-01T00:01:00Z",
      delay: 3,
      distance: 100,
      origin: "LAS",
      destination: "PHL",
    };
    await new PubSubRestClient(emulator!.host, project).publish("poison-events", [
      { data: Buffer.from(JSON.stringify(poison)).toString("base64") },
    ]);
    await publishEvents({ host: emulator!.host, project, topic: "poison-events", from: sample.files[0].path });
    const inner = await DuckDbWarehouse.open(path.join(dir, "w.duckdb"));
    const warehouse = refusingCommitsOf(inner, POISON_ID);
    const log: string[] = [];
    try {
      const options = {
        schema: "flights",
        subscription: `projects/${project}/subscriptions/poison-sub`,
        workDir: dir,
        idleTimeoutSeconds: 3,
        isolation: { backoffMs: 10 },
        log: (line: string) => log.push(line),
      };
      const summary = await runStreamJob(options, source, warehouse);
      expect({
        read: summary.read,
        written: summary.written,
        dead: summary.deadLettered,
        duplicates: summary.duplicates,
      }).toStrictEqual({ read: GOOD + 1, written: GOOD, dead: 1, duplicates: 0 });
      expect(summary.byReason).toStrictEqual({ "write/isolated_failure": 1 });
      expect(unaccounted(summary)).toBe(0);
      expect(warehouse.refused).toBeGreaterThanOrEqual(3); // the whole batch, tried three times, then its halves
      const [events] = await warehouse.query("SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM flights");
      expect(events).toStrictEqual({ n: String(GOOD), ids: String(GOOD) });
      const dead = await warehouse.query(
        "SELECT errorStage, errorClass, errorMessage, payloadString FROM dead_letters",
      );
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ errorStage: "write", errorClass: "isolated_failure" });
      expect(String(dead[0].errorMessage)).toContain("the warehouse refused a staged row");
      expect(String(dead[0].payloadString)).toContain(POISON_ID);
      expect(log.some((line) => line.includes("1 message(s) failed alone and were dead-lettered"))).toBe(true);
      expect(await source.pull(100, 2)).toStrictEqual([]); // everything was acked
    } finally {
      await warehouse.close();
    }
  },
  180_000,
);
