import * as path from "path";
import { runStreamJob } from "../../pipelines/stream-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { openSubscription } from "../../io/pubsub/open-subscription";
import { PubSubRestClient } from "../../io/pubsub/rest-client";
import { unaccounted } from "../../transforms/summary";
import { itNeeds } from "../support/prerequisites";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";

// A message that keeps failing is dead-lettered after N deliveries, never dropped and never retried forever. A
// consumer that fails its micro-batch nacks it; here a plain client plays that consumer five times over.
const workspace = useEmulatorWorkspace("attempts");

itNeeds("pubsub-emulator")(
  "a message delivered more than maxDeliveryAttempts times lands in dead_letters",
  async () => {
    const { dir } = workspace;
    const emulator = workspace.emulator!;
    const project = "rox-test";
    const source = await openSubscription({
      host: emulator.host,
      project,
      subscription: "poison-sub",
      topic: "poison-events",
      maxDeliveryAttempts: 5,
    });
    const client = new PubSubRestClient(emulator.host, project);
    const good = {
      event_id: "ok:1",
      date: "2001-01-01T00:01:00Z",
      delay: 3,
      distance: 100,
      origin: "LAS",
      destination: "PHL",
    };
    await client.publish("poison-events", [
      { data: Buffer.from(JSON.stringify({ ...good, event_id: "poison:1" })).toString("base64"), attributes: {} },
    ]);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const pulled = await pullOne(source);
      expect(pulled.deliveryAttempt).toBe(attempt);
      await source.nack([pulled.ackId]);
    }
    await client.publish("poison-events", [
      { data: Buffer.from(JSON.stringify(good)).toString("base64"), attributes: {} },
    ]);
    const warehouse = await DuckDbWarehouse.open(path.join(dir, "w.duckdb"));
    try {
      const summary = await runStreamJob(
        {
          schema: "flights",
          subscription: `projects/${project}/subscriptions/poison-sub`,
          maxMessages: 2,
          workDir: dir,
          maxDeliveryAttempts: 5,
        },
        source,
        warehouse,
      );
      expect({ read: summary.read, written: summary.written, dead: summary.deadLettered }).toStrictEqual({
        read: 2,
        written: 1,
        dead: 1,
      });
      expect(summary.byReason).toStrictEqual({ "read/delivery_attempts_exhausted": 1 });
      expect(unaccounted(summary)).toBe(0);
      const [dead] = await warehouse.query("SELECT errorClass, attempt, payloadString, messageId FROM dead_letters");
      expect(dead).toMatchObject({ errorClass: "delivery_attempts_exhausted", attempt: "6" });
      expect(String(dead.payloadString)).toContain("poison:1");
      expect(await source.pull(10, 2)).toStrictEqual([]);
    } finally {
      await warehouse.close();
    }
  },
);

async function pullOne(source: Awaited<ReturnType<typeof openSubscription>>) {
  for (let tries = 0; tries < 100; tries++) {
    const [message] = await source.pull(1);
    if (message) return message;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("no message redelivered");
}
