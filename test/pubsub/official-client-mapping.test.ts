import { pubSubCallError } from "../../io/gcp/pubsub/pubsub-errors";
import { splitPulls } from "../../io/gcp/pubsub/pubsub-message-source";
import { receivedToPulled, timestampToRfc3339 } from "../../io/gcp/pubsub/pubsub-received";

// What the official client hands back is mapped to the REST shape; the round trip through the emulator is in
// test/conformance/message-source.test.ts. These are the edges the emulator does not produce on demand.

describe("timestampToRfc3339 writes what protobuf's JSON mapping writes", () => {
  it.each([
    [{ seconds: 0, nanos: 0 }, "1970-01-01T00:00:00Z"],
    [{ seconds: "1795745158", nanos: 469_000_000 }, "2026-11-27T02:05:58.469Z"],
    [{ seconds: 978_310_800, nanos: 1_000_000 }, "2001-01-01T01:00:00.001Z"],
    [{ seconds: 978_310_800, nanos: 123_456_000 }, "2001-01-01T01:00:00.123456Z"],
    [{ seconds: 978_310_800, nanos: 123_456_789 }, "2001-01-01T01:00:00.123456789Z"],
    [{ seconds: 978_310_800, nanos: 1 }, "2001-01-01T01:00:00.000000001Z"],
    [{ seconds: "978310800" }, "2001-01-01T01:00:00Z"],
    [{}, "1970-01-01T00:00:00Z"],
  ])("%j → %s", (timestamp, expected) => {
    expect(timestampToRfc3339(timestamp)).toBe(expected);
  });
});

describe("receivedToPulled", () => {
  const publishTime = { seconds: 978_310_800, nanos: 5_000_000 };

  it("gives base64 data, the attributes and the publish time", () => {
    const pulled = receivedToPulled({
      ackId: "a1",
      deliveryAttempt: 2,
      message: { messageId: "m1", data: Buffer.from([0, 255, 104]), attributes: { k: "v" }, publishTime },
    });
    expect(pulled).toStrictEqual({
      ackId: "a1",
      messageId: "m1",
      data: "AP9o",
      attributes: { k: "v" },
      publishTime: "2001-01-01T01:00:00.005Z",
      deliveryAttempt: 2,
    });
  });

  it("encodes only the message's own bytes when they are a view into a larger buffer", () => {
    const view = new Uint8Array(Buffer.from("xxhixx")).subarray(2, 4);
    expect(receivedToPulled({ message: { data: view, publishTime } }).data).toBe(Buffer.from("hi").toString("base64"));
  });

  it.each([
    ["no data", undefined, ""],
    ["null data", null, ""],
    ["empty bytes", new Uint8Array(0), ""],
    ["base64 text", "aGk=", "aGk="],
  ])("%s → %j", (_, data, expected) => {
    expect(receivedToPulled({ message: { data, publishTime } }).data).toBe(expected);
  });

  it("leaves deliveryAttempt undefined when Pub/Sub did not count (proto3 0, or absent)", () => {
    expect(receivedToPulled({ deliveryAttempt: 0, message: { publishTime } }).deliveryAttempt).toBeUndefined();
    expect(receivedToPulled({ message: { publishTime } }).deliveryAttempt).toBeUndefined();
  });
});

describe("splitPulls", () => {
  it.each([
    [250, 100, [100, 100, 50]],
    [1000, 1000, [1000]],
    [5000, 1000, [1000, 1000, 1000, 1000, 1000]],
    [1, 100, [1]],
    [0, 100, []],
    [-3, 100, []],
    [2.7, 100, [2]],
  ])("%d at %d a pull → %j", (max, perPull, expected) => {
    expect(splitPulls(max, perPull)).toEqual(expected);
  });
});

describe("pubSubCallError", () => {
  it.each([
    [5, "NOT_FOUND"],
    [7, "PERMISSION_DENIED"],
    [14, "UNAVAILABLE"],
    [16, "UNAUTHENTICATED"],
    [99, "UNKNOWN"],
    [undefined, "UNKNOWN"],
  ])("gRPC code %s → %s, named call and subscription, the client's error as cause", (code, status) => {
    const clientError = Object.assign(new Error("from the client"), { code, details: "what the server said" });
    const error = pubSubCallError("pull", "projects/p/subscriptions/s", clientError);
    expect(error).toMatchObject({ name: "PubSubCallError", method: "pull", code, status, cause: clientError });
    expect(error.message).toBe(`Pub/Sub pull on projects/p/subscriptions/s: ${status}: what the server said`);
  });

  it("keeps the message of an error without gRPC details (no credentials, say)", () => {
    const error = pubSubCallError(
      "acknowledge",
      "projects/p/subscriptions/s",
      new Error("Could not load the default credentials"),
    );
    expect(error).toMatchObject({ status: "UNKNOWN", code: undefined });
    expect(error.message).toContain("Could not load the default credentials");
  });
});
