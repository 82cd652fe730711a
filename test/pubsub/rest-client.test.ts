import { freeLoopbackPort } from "../../io/emulator-process";
import { PubSubRestError } from "../../io/pubsub/errors";
import { PubSubRestClient } from "../../io/pubsub/rest-client";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { itNeeds } from "../support/prerequisites";

const it_ = itNeeds("pubsub-emulator");
const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("Pub/Sub REST client against the emulator", () => {
  const workspace = useEmulatorWorkspace("rest-client");
  let client: PubSubRestClient;
  beforeAll(() => {
    if (workspace.emulator) client = new PubSubRestClient(workspace.emulator.host, "rox-test");
  });

  /** A topic with one subscription, fresh for each test. */
  async function topicWithSubscription(name: string, options = {}): Promise<void> {
    expect(await client.createTopic(name)).toBe("created");
    expect(await client.createSubscription(`${name}-sub`, name, { ackDeadlineSeconds: 60, ...options })).toBe(
      "created",
    );
  }

  it_("creating twice is fine: 409 ALREADY_EXISTS reads as 'exists'", async () => {
    await topicWithSubscription("twice");
    expect(await client.createTopic("twice")).toBe("exists");
    expect(await client.createSubscription("twice-sub", "twice", { ackDeadlineSeconds: 60 })).toBe("exists");
    expect(await client.listTopicSubscriptions("twice")).toEqual(["projects/rox-test/subscriptions/twice-sub"]);
    await client.deleteSubscription("twice-sub");
    await client.deleteTopic("twice");
    await client.deleteTopic("twice"); // deleting what is gone is fine too
    expect(await client.createTopic("twice")).toBe("created");
  });

  it_("publish → pull → ack round trip keeps data and attributes; acked messages do not come back", async () => {
    await topicWithSubscription("round-trip");
    const ids = await client.publish("round-trip", [
      { data: base64("héllo"), attributes: { event_id: "e1" } },
      { data: base64("{}") },
    ]);
    expect(ids).toHaveLength(2);
    const pulled = await client.pull("round-trip-sub", 10);
    const texts = pulled.map((m) => Buffer.from(m.message.data ?? "", "base64").toString());
    expect(texts.sort()).toEqual(["héllo", "{}"]);
    const hello = pulled.find((m) => m.message.messageId === ids[0])!;
    expect(hello.message.attributes).toEqual({ event_id: "e1" });
    expect(hello.deliveryAttempt).toBeUndefined(); // no dead-letter policy: Pub/Sub does not count
    await client.acknowledge(
      "round-trip-sub",
      pulled.map((m) => m.ackId),
    );
    expect(await client.pull("round-trip-sub", 10)).toEqual([]);
  });

  it_("publishes more than 1,000 messages in several requests", async () => {
    await topicWithSubscription("many");
    const ids = await client.publish(
      "many",
      Array.from({ length: 2500 }, (_, i) => ({ data: base64(String(i)) })),
    );
    expect(new Set(ids).size).toBe(2500);
    expect(await client.pull("many-sub", 1000)).toHaveLength(100); // the emulator's cap per pull
  });

  it_(
    "a nack (deadline 0) redelivers at once; with a dead-letter policy deliveryAttempt counts and the 5th nack dead-letters",
    async () => {
      await client.createTopic("dead");
      await topicWithSubscription("nacked", { deadLetterPolicy: { deadLetterTopic: "dead", maxDeliveryAttempts: 5 } });
      await client.createSubscription("dead-sub", "dead", { ackDeadlineSeconds: 60 });
      const [id] = await client.publish("nacked", [{ data: base64("x"), attributes: { event_id: "e9" } }]);
      const attempts: number[] = [];
      for (let i = 0; i < 5; i++) {
        const [message] = await client.pull("nacked-sub", 10);
        expect(message.message.messageId).toBe(id);
        attempts.push(message.deliveryAttempt!);
        await client.modifyAckDeadline("nacked-sub", [message.ackId], 0);
      }
      expect(attempts).toEqual([1, 2, 3, 4, 5]);
      expect(await client.pull("nacked-sub", 10)).toEqual([]);
      const [dead] = await client.pull("dead-sub", 10);
      expect(dead.message.attributes).toMatchObject({ event_id: "e9", CloudPubSubDeadLetterSourceDeliveryCount: "5" });
    },
  );

  it_("errors carry Pub/Sub's status", async () => {
    await expect(client.pull("missing-sub", 1)).rejects.toMatchObject({
      name: "PubSubRestError",
      httpStatus: 404,
      status: "NOT_FOUND",
    });
    // A name Pub/Sub would refuse never reaches it (checked by its rules first); a setting it refuses carries its status.
    await expect(client.createTopic("x")).rejects.toMatchObject({ name: "InvalidIdentifierError" });
    await client.createTopic("status-topic");
    const tooFewAttempts = {
      ackDeadlineSeconds: 60,
      deadLetterPolicy: { deadLetterTopic: "status-topic", maxDeliveryAttempts: 2 },
    };
    await expect(client.createSubscription("status-sub", "status-topic", tooFewAttempts)).rejects.toMatchObject({
      httpStatus: 400,
      status: "OUT_OF_RANGE",
    });
    const nowhere = new PubSubRestClient(`127.0.0.1:${await freeLoopbackPort()}`, "rox-test", 1_000);
    await expect(nowhere.createTopic("events")).rejects.toThrow(PubSubRestError);
    await expect(nowhere.createTopic("events")).rejects.toMatchObject({
      httpStatus: 0,
      message: expect.stringContaining("ECONNREFUSED"),
    });
  });
});
