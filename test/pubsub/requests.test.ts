import { pullSizes } from "../../io/pubsub/emulator-source";
import { DeliveryCounter } from "../../io/pubsub/delivery-counter";
import * as requests from "../../io/pubsub/requests";

describe("Pub/Sub REST requests (built, not sent)", () => {
  test("names: short names get the project, full names are kept", () => {
    expect(requests.topicName("rox-p1", "events")).toBe("projects/rox-p1/topics/events");
    expect(requests.topicName("rox-p1", "projects/rox-p2/topics/xyz")).toBe("projects/rox-p2/topics/xyz");
    expect(requests.subscriptionName("rox-p1", "sub-1")).toBe("projects/rox-p1/subscriptions/sub-1");
  });

  test("a subscription with a dead-letter policy", () => {
    const options = {
      ackDeadlineSeconds: 30,
      deadLetterPolicy: { deadLetterTopic: "dead", maxDeliveryAttempts: 5 },
      retainAckedMessages: true,
    };
    expect(requests.createSubscriptionRequest("rox-p1", "sub-1", "events", options)).toEqual({
      method: "PUT",
      path: "projects/rox-p1/subscriptions/sub-1",
      body: {
        topic: "projects/rox-p1/topics/events",
        ackDeadlineSeconds: 30,
        retainAckedMessages: true,
        deadLetterPolicy: { deadLetterTopic: "projects/rox-p1/topics/dead", maxDeliveryAttempts: 5 },
      },
    });
  });

  test("publish is split at 1,000 messages and at ~9 MB, keeping the order", () => {
    const small = Array.from({ length: 2001 }, (_, i) => ({ data: String(i) }));
    const bySize = requests
      .publishRequests("rox-p1", "events", small)
      .map((r) => (r.body as { messages: unknown[] }).messages.length);
    expect(bySize).toEqual([1000, 1000, 1]);
    const big = Array.from({ length: 5 }, () => ({ data: "x".repeat(4 * 1024 * 1024) }));
    expect(
      requests.publishRequests("rox-p1", "events", big).map((r) => (r.body as { messages: unknown[] }).messages.length),
    ).toEqual([2, 2, 1]);
    expect(requests.publishRequests("rox-p1", "events", [])).toEqual([]);
  });

  test("pull is a long poll whose wait is the call's deadline; acks and deadlines go in requests of ≤1,000 ids", () => {
    expect(requests.pullRequest("rox-p1", "sub-1", 100, 10)).toEqual({
      method: "POST",
      path: "projects/rox-p1/subscriptions/sub-1:pull",
      body: { maxMessages: 100, returnImmediately: false },
      headers: { "grpc-timeout": "10S" },
      timeoutMs: 25_000, // the server answers before its deadline; the client gives up only if it stalled
    });
    const ids = Array.from({ length: 1500 }, (_, i) => `a${i}`);
    expect(
      requests.acknowledgeRequests("rox-p1", "sub-1", ids).map((r) => (r.body as { ackIds: string[] }).ackIds.length),
    ).toEqual([1000, 500]);
    expect(requests.modifyAckDeadlineRequests("rox-p1", "sub-1", ["a"], 0)[0].body).toEqual({
      ackIds: ["a"],
      ackDeadlineSeconds: 0,
    });
  });
});

describe("the emulator source's own bookkeeping", () => {
  test.each([
    [1000, [100, 100, 100, 100, 100, 100, 100, 100, 100, 100]],
    [250, [100, 100, 50]],
    [1, [1]],
    [0, []],
  ])("pull(%i) issues pulls of %j", (max, sizes) => {
    expect(pullSizes(max)).toEqual(sizes);
  });

  test("delivery attempts count per message id, survive new ack ids, and are forgotten on ack", () => {
    const counter = new DeliveryCounter();
    expect([counter.delivered("m1", "a1"), counter.delivered("m2", "a2"), counter.delivered("m1", "a3")]).toEqual([
      1, 1, 2,
    ]);
    counter.acked(["a1"]); // a stale ack id of m1: m1 is still outstanding under a3
    expect(counter.delivered("m1", "a4")).toBe(3);
    counter.acked(["a4", "a2"]);
    expect(counter.tracked).toBe(0);
    expect(counter.delivered("m1", "a5")).toBe(1);
  });
});
