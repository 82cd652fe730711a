import type { MessageSource, PulledMessage } from "../../io/ports";
import { drain, pullCount, pullUntil } from "./message-source.pulls";
import type { OutgoingMessage } from "../../io/pubsub/requests";

/**
 * The Pub/Sub a source reads from, driven independently of the source under test: it creates topics and subscriptions,
 * publishes, and hands leased messages back (the emulator over our REST client, or the in-memory Pub/Sub itself).
 */
export interface ReferenceBroker {
  /** A topic and a subscription on it, each created if missing; Pub/Sub counts delivery attempts on it. */
  subscribe(topic: string, subscription: string, ackDeadlineSeconds: number): Promise<void>;
  /** The new messages' ids, in order. */
  publish(topic: string, messages: OutgoingMessage[]): Promise<string[]>;
  /** Sets the ack deadline of leased messages to 0, so they come back now. */
  nack(subscription: string, ackIds: string[]): Promise<void>;
}

/** What the suite needs from an implementation of the message-source role. */
export interface MessageSourceFactory {
  /** The source on a subscription of the suite's project, which may not exist. */
  open(subscription: string): Promise<MessageSource>;
  /** The broker it reads from (asked inside each case, once the emulator behind it runs). */
  broker(): ReferenceBroker;
  /** The typed error its calls fail with; it carries Pub/Sub's status name (`NOT_FOUND`, …) in `status`. */
  errorClass: abstract new (...args: never[]) => Error;
}

export const MESSAGE_SOURCE_CASES = [
  "pull returns what was published",
  "ack removes a message",
  "nack redelivers with deliveryAttempt + 1",
  "extendDeadline keeps a message away past its original deadline",
  "a long poll on an empty subscription returns [] when its wait is over",
  "a long poll returns a message published while it waits",
  "a long poll that came back empty leaves nothing leased",
  "leases report the subscription's ack deadline",
  "ack and nack more than 1,000 ack ids in one call",
  "pull from a missing subscription fails with a typed NOT_FOUND error",
  "empty ack id lists send nothing",
] as const;

export type MessageSourceCase = (typeof MESSAGE_SOURCE_CASES)[number];

/** A case an implementation cannot pass, with the reason (printed when the suite runs). */
export type SkipList = Partial<Record<MessageSourceCase, string>>;

/** RFC 3339 in UTC as Pub/Sub's REST API writes it: 0, 3, 6 or 9 fraction digits. */
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/;
const base64 = (data: string | Buffer) => Buffer.from(data).toString("base64");

/** The message-source conformance suite: one `describe` per implementation, every case on a fresh subscription. */
export function messageSourceSuite(
  name: string,
  factory: MessageSourceFactory,
  skip: SkipList,
  enabled: boolean,
): void {
  describe(`MessageSource conformance: ${name}`, () => {
    const opened: MessageSource[] = [];
    const slug = name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "");
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((source) => source.close()));
    });

    const open = async (subscription: string) => {
      const source = await factory.open(subscription);
      opened.push(source);
      return source;
    };

    /** A fresh topic and subscription, created by the reference broker, which also publishes and hands messages back. */
    async function subscribe(label: string, ackDeadlineSeconds = 60) {
      const topic = `${slug}-${label}`;
      const subscription = `${topic}-sub`;
      const broker = factory.broker();
      await broker.subscribe(topic, subscription, ackDeadlineSeconds);
      return {
        source: await open(subscription),
        publish: (messages: OutgoingMessage[]) => broker.publish(topic, messages),
        referenceNack: (ackIds: string[]) => broker.nack(subscription, ackIds),
      };
    }

    const test_ = (title: MessageSourceCase, body: () => Promise<void>, timeoutMs?: number) => {
      const reason = skip[title];
      if (reason) console.warn(`MessageSource conformance (${name}): "${title}" skipped: ${reason}`);
      (enabled && !reason ? it : it.skip)(title, body, timeoutMs);
    };

    test_("pull returns what was published", async () => {
      const { source, publish } = await subscribe("published");
      const sent: OutgoingMessage[] = [
        { data: base64(Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff])), attributes: { kind: "binary" } },
        { data: base64('héllo ✓ {"a":1}'), attributes: { event_id: "e-1", clé: "välue ✓", empty: "" } },
        { data: "", attributes: { only: "attributes" } },
      ];
      const before = Date.now();
      const ids = await publish(sent);
      const pulled = await pullCount(source, sent.length);
      const after = Date.now();
      expect(pulled.map((m) => m.messageId).sort()).toEqual([...ids].sort());
      ids.forEach((id, i) => {
        const message = pulled.find((m) => m.messageId === id);
        expect(message).toMatchObject({ data: sent[i].data, deliveryAttempt: 1 });
        expect(message?.attributes).toStrictEqual(sent[i].attributes);
      });
      for (const { publishTime } of pulled) {
        expect(publishTime).toMatch(RFC3339_UTC);
        expect(Date.parse(publishTime)).toBeGreaterThanOrEqual(before); // the emulator shares this machine's clock
        expect(Date.parse(publishTime)).toBeLessThanOrEqual(after);
      }
      expect(new Set(pulled.map((m) => m.ackId)).size).toBe(sent.length);
      expect(pulled.every((m) => m.ackId.length > 0)).toBe(true);
    });

    test_("ack removes a message", async () => {
      const { source, publish } = await subscribe("acked");
      const ids = await publish(["a", "b", "c"].map((text) => ({ data: base64(text) })));
      const pulled = await pullCount(source, 3);
      await source.ack([pulled.find((m) => m.messageId === ids[0])!.ackId]);
      // Hand all three back: the two unacked ones come back at once; the acked one is gone, so its nack is a no-op.
      await source.nack(pulled.map((m) => m.ackId));
      const again = await drain(source);
      expect(again.map((m) => m.messageId).sort()).toEqual([ids[1], ids[2]].sort());
    });

    test_("nack redelivers with deliveryAttempt + 1", async () => {
      const { source, publish } = await subscribe("nacked");
      const [id] = await publish([{ data: base64("retry me"), attributes: { n: "1" } }]);
      const deliveries: PulledMessage[] = [];
      for (let i = 0; i < 3; i++) {
        const [message] = await pullCount(source, 1);
        deliveries.push(message);
        await source.nack([message.ackId]);
      }
      expect(deliveries.map((m) => m.deliveryAttempt)).toEqual([1, 2, 3]);
      const { ackId: _, deliveryAttempt: __, ...first } = deliveries[0];
      for (const message of deliveries) expect(message).toMatchObject({ ...first, messageId: id });
    });

    test_("extendDeadline keeps a message away past its original deadline", async () => {
      const { source, publish } = await subscribe("extended", 10); // 10 s: the shortest deadline Pub/Sub allows
      const ids = await publish(["kept", "expires"].map((text) => ({ data: base64(text) })));
      const pulled = await pullCount(source, 2);
      const kept = pulled.find((m) => m.messageId === ids[0])!;
      await source.extendDeadline([kept.ackId], 300);
      // Both leases started together; once the other message is back, the kept one's original deadline has passed too.
      const seen = await pullUntil(source, (messages) => messages.some((m) => m.messageId === ids[1]));
      expect(seen.map((m) => m.messageId)).toEqual([ids[1]]);
      await source.nack([kept.ackId]); // still leased, not lost: a nack brings it back now
      expect((await pullCount(source, 1)).map((m) => m.messageId)).toEqual([ids[0]]);
    });

    // The per-test timeout is the guard, not a measurement: an empty pull that ignored its wait would take ~90 s.
    test_(
      "a long poll on an empty subscription returns [] when its wait is over",
      async () => {
        const { source } = await subscribe("empty");
        expect(await source.pull(1, 2)).toEqual([]);
        expect(await source.pull(1000, 2)).toEqual([]);
        expect(await source.pull(0)).toEqual([]);
      },
      30_000,
    );

    // Pulls that return at once (`returnImmediately`) come back empty here, and can while a backlog waits.
    test_(
      "a long poll returns a message published while it waits",
      async () => {
        const { source, publish } = await subscribe("waits");
        const polling = source.pull(10, 10);
        await new Promise((resolve) => setTimeout(resolve, 500));
        const [id] = await publish([{ data: base64("late") }]);
        expect((await polling).map((m) => m.messageId)).toEqual([id]);
      },
      30_000,
    );

    // A poll the client abandoned while the server still held it would take this message and lease it to nobody.
    test_(
      "a long poll that came back empty leaves nothing leased",
      async () => {
        const { source, publish } = await subscribe("ended");
        expect(await source.pull(100, 2)).toEqual([]);
        const [id] = await publish([{ data: base64("next") }]);
        expect((await source.pull(100, 2)).map((m) => m.messageId)).toEqual([id]);
      },
      30_000,
    );

    test_("leases report the subscription's ack deadline", async () => {
      const { source, publish } = await subscribe("leases", 17);
      // A consumer killed while it held a lease: the next one must wait out the deadline before it can see everything.
      const killed = await open(`${slug}-leases-sub`);
      await publish([{ data: base64("held") }]);
      expect(await pullCount(killed, 1)).toHaveLength(1);
      expect(await source.leases()).toStrictEqual({ ackDeadlineSeconds: 17, earlierLeasesPossible: true });
    });

    test_("ack and nack more than 1,000 ack ids in one call", async () => {
      const { source, publish, referenceNack } = await subscribe("many");
      const ids = await publish(Array.from({ length: 2500 }, (_, i) => ({ data: base64(String(i)) })));
      const pulled = await pullCount(source, ids.length);
      expect(new Set(pulled.map((m) => m.messageId))).toEqual(new Set(ids));
      await source.nack(pulled.map((m) => m.ackId));
      const redelivered = await drain(source); // every nacked message is back at once
      expect(new Set(redelivered.map((m) => m.messageId))).toEqual(new Set(ids));
      await source.ack(redelivered.map((m) => m.ackId));
      await referenceNack(redelivered.map((m) => m.ackId)); // any ack id the ack had dropped would come back now
      expect(await drain(source)).toEqual([]);
    });

    test_("pull from a missing subscription fails with a typed NOT_FOUND error", async () => {
      const source = await open(`${slug}-never-created-sub`);
      const error = await source.pull(1).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(factory.errorClass);
      expect(error).toMatchObject({
        status: "NOT_FOUND",
        message: expect.stringContaining(`${slug}-never-created-sub`),
      });
    });

    test_("empty ack id lists send nothing", async () => {
      const source = await open(`${slug}-never-created-either-sub`); // any request would fail with NOT_FOUND
      await expect(source.ack([])).resolves.toBeUndefined();
      await expect(source.nack([])).resolves.toBeUndefined();
      await expect(source.extendDeadline([], 60)).resolves.toBeUndefined();
    });
  });
}
