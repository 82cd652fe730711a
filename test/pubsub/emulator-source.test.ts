import { EmulatorMessageSource } from "../../io/pubsub/emulator-source";
import { PubSubRestClient } from "../../io/pubsub/rest-client";
import { useEmulatorWorkspace } from "../support/pubsub-emulator";
import { itNeeds } from "../support/prerequisites";

const it_ = itNeeds("pubsub-emulator");
const messages = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({
    data: Buffer.from(`${prefix}${i}`).toString("base64"),
    attributes: { i: String(i) },
  }));

describe("EmulatorMessageSource", () => {
  const workspace = useEmulatorWorkspace("emulator-source");
  let client: PubSubRestClient;
  beforeAll(() => {
    if (workspace.emulator) client = new PubSubRestClient(workspace.emulator.host, "rox-test");
  });

  const open = (name: string, extra: Partial<Parameters<typeof EmulatorMessageSource.open>[0]> = {}) =>
    EmulatorMessageSource.open({
      host: workspace.emulator!.host,
      project: "rox-test",
      topic: name,
      subscription: `${name}-sub`,
      ...extra,
    });

  it_(
    "pull(1000) returns more than the emulator's 100 per pull, each message once, then nothing after the ack",
    async () => {
      const source = await open("wide");
      await client.publish("wide", messages(1200, "w"));
      const pulled = await source.pull(1000);
      expect(pulled.length).toBeGreaterThan(100);
      expect(pulled.length).toBeLessThanOrEqual(1000);
      expect(new Set(pulled.map((m) => m.messageId)).size).toBe(pulled.length);
      expect(pulled[0]).toMatchObject({
        deliveryAttempt: 1,
        attributes: { i: expect.any(String) },
        publishTime: expect.any(String),
      });
      await source.ack(pulled.map((m) => m.ackId));
      const rest = await source.pull(1000);
      expect(pulled.length + rest.length).toBe(1200);
      await source.ack(rest.map((m) => m.ackId));
      expect(await source.pull(1000, 2)).toEqual([]);
      await source.close();
    },
  );

  it_(
    "leases: a subscription it created holds no earlier lease; an existing one reports its ack deadline",
    async () => {
      const created = await open("leased", { ackDeadlineSeconds: 23 });
      expect(await created.leases()).toStrictEqual({ ackDeadlineSeconds: 23, earlierLeasesPossible: false });
      const reopened = await open("leased", { ackDeadlineSeconds: 45 }); // exists: its settings stay
      expect(await reopened.leases()).toStrictEqual({ ackDeadlineSeconds: 23, earlierLeasesPossible: true });
    },
  );

  it_("without a dead-letter policy the source counts delivery attempts itself across nacks", async () => {
    const source = await open("counted");
    await client.publish("counted", messages(3, "c"));
    const attempts: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const pulled = await source.pull(10);
      attempts.push(pulled.map((m) => m.deliveryAttempt));
      await source.nack(pulled.map((m) => m.ackId));
    }
    expect(attempts).toEqual([
      [1, 1, 1],
      [2, 2, 2],
      [3, 3, 3],
    ]);
  });

  it_("with a dead-letter policy the emulator's own count is used", async () => {
    const source = await open("policy", {
      deadLetterPolicy: { deadLetterTopic: "policy-dead", maxDeliveryAttempts: 5 },
    });
    await client.publish("policy", messages(1, "p"));
    const first = await source.pull(10);
    await source.nack(first.map((m) => m.ackId));
    const second = await source.pull(10);
    expect([first[0].deliveryAttempt, second[0].deliveryAttempt]).toEqual([1, 2]);
    await source.extendDeadline(
      second.map((m) => m.ackId),
      60,
    );
    expect(await source.pull(10, 2)).toEqual([]); // still leased
  });
});
