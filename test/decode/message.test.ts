import { decodeMessage, type MessageRecord } from "../../transforms/decode/message";

const SUBSCRIPTION = "pubsub://projects/p/subscriptions/s";
const limits = { maxRecordBytes: 1024, maxDeliveryAttempts: 5 };
const message = (data: Buffer | string, extra: Partial<MessageRecord> = {}): MessageRecord => ({
  messageId: "42",
  data: Buffer.from(data).toString("base64"),
  attributes: { event_id: "e1" },
  publishTime: "2026-01-01T00:00:00.000Z",
  deliveryAttempt: 1,
  ...extra,
});

describe("decoding a Pub/Sub message", () => {
  test("a JSON object becomes fields, with the message as its source", () => {
    const out = decodeMessage(message('{"event_id":"e1","delay":3}'), SUBSCRIPTION, limits);
    expect(out).toStrictEqual({
      ok: true,
      value: {
        fields: { event_id: "e1", delay: 3 },
        envelope: {
          payload: '{"event_id":"e1","delay":3}',
          source: { uri: SUBSCRIPTION, messageId: "42" },
          attributes: { event_id: "e1" },
          attempt: 1,
        },
      },
    });
  });

  test.each([
    ["malformed JSON", message('{"event_id":'), "decode", "malformed_json", /malformed JSON in message 42/],
    ["not an object", message("[1,2]"), "decode", "not_an_object", /JSON in message 42 is an array/],
    ["an empty payload", message(""), "decode", "empty_message", /message 42 has no payload/],
    ["a blank payload", message("  \n"), "decode", "empty_message", /no payload/],
    ["invalid UTF-8", message(Buffer.from([0x7b, 0xc3, 0x28, 0x7d])), "decode", "invalid_utf8", /not valid UTF-8/],
    [
      "an oversized payload",
      message("x".repeat(1025)),
      "decode",
      "record_too_large",
      /1025 bytes, over the 1024-byte limit/,
    ],
    [
      "a sixth delivery",
      message('{"event_id":"e1"}', { deliveryAttempt: 6 }),
      "read",
      "delivery_attempts_exhausted",
      /failed 5 deliveries \(limit 5\)/,
    ],
    [
      "a message that failed its micro-batch alone",
      message('{"event_id":"e1"}', { failedAlone: "commit refused" }),
      "write",
      "isolated_failure",
      /message 42 failed its micro-batch on its own: commit refused/,
    ],
  ])("%s becomes a dead letter", (_name, input, stage, errorClass, text) => {
    const out = decodeMessage(input, SUBSCRIPTION, limits);
    if (out.ok) throw new Error("expected a dead letter");
    expect(out.dead).toMatchObject({ stage, errorClass, envelope: { source: { uri: SUBSCRIPTION, messageId: "42" } } });
    expect(out.dead.errorMessage).toMatch(text);
  });

  test("invalid UTF-8 keeps the raw bytes; a fifth delivery is still processed", () => {
    const bad = decodeMessage(message(Buffer.from([0xc3, 0x28])), SUBSCRIPTION, limits);
    expect(!bad.ok && bad.dead.envelope.payloadBase64).toBe(Buffer.from([0xc3, 0x28]).toString("base64"));
    expect(decodeMessage(message('{"a":1}', { deliveryAttempt: 5 }), SUBSCRIPTION, limits).ok).toBe(true);
  });
});
