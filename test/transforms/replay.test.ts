import { decodeDeadLetter, csvHeaderAttributes } from "../../transforms/decode/dead-letter";
import { notReplayableBecause, reasonColumns, recordKey, replayChunks, settleDeadLetters, storedDeadLetter, type StoredDeadLetter } from "../../transforms/replay";

const EVENT = '{"event_id":"e1","delay":3}';
const SUBSCRIPTION = "pubsub://projects/p/subscriptions/s";

function stored(change: Partial<StoredDeadLetter> = {}): StoredDeadLetter {
  return {
    runId: "run-1",
    schemaName: "flights",
    sourceUri: "file:///data/a.jsonl",
    sourceLine: 4,
    messageId: null,
    errorStage: "validate",
    errorClass: "constraint.max",
    errorMessage: "delay: must be at most 2880 (got 3000)",
    payloadString: EVENT,
    payloadBytes: null,
    attributes: null,
    records: 1,
    ...change,
  };
}

type Expected = { ok: boolean; fields?: unknown; textual?: boolean; errorClass?: string; source: object };

describe("decodeDeadLetter: a stored record decoded again as its source decoded it", () => {
  const file = { uri: "file:///data/a.jsonl", line: 4 };
  const message = { uri: SUBSCRIPTION, messageId: "m-1" };
  test.each([
    ["a JSON line", stored(), { ok: true, fields: { event_id: "e1", delay: 3 }, source: file }],
    ["a JSON line that is still malformed", stored({ payloadString: '{"event_id":' }), { ok: false, errorClass: "malformed_json", source: file }],
    ["raw bytes that are still not UTF-8", stored({ payloadString: "{\uFFFD}", payloadBytes: Buffer.from([0x7b, 0xff, 0x7d]).toString("base64") }), { ok: false, errorClass: "invalid_utf8", source: file }],
    ["a record over the limit now", stored({ payloadString: `{"pad":"${"x".repeat(200)}"}` }), { ok: false, errorClass: "record_too_large", source: file }],
    ["a CSV record, with the header its dead letter carries", stored({ payloadString: "e1,3", attributes: JSON.stringify(csvHeaderAttributes(["event_id", "delay"])) }), { ok: true, fields: { event_id: "e1", delay: "3" }, textual: true, source: file }],
    ["a CSV record still short of a column", stored({ payloadString: "e1", attributes: JSON.stringify(csvHeaderAttributes(["event_id", "delay"])) }), { ok: false, errorClass: "csv_column_count", source: file }],
    ["a CSV header that is not a list of names", stored({ payloadString: "e1,3", attributes: JSON.stringify({ "rox.csvHeader": "{" }) }), { ok: false, errorClass: "csv_bad_header", source: file }],
    ["a message from its text", stored({ sourceUri: SUBSCRIPTION, sourceLine: null, messageId: "m-1", attributes: '{"k":"v"}' }), { ok: true, fields: { event_id: "e1", delay: 3 }, source: message }],
    ["a message that was delivered too often starts over", stored({ sourceUri: SUBSCRIPTION, sourceLine: null, messageId: "m-1", errorStage: "read", errorClass: "delivery_attempts_exhausted", payloadBytes: Buffer.from(EVENT).toString("base64") }), { ok: true, fields: { event_id: "e1", delay: 3 }, source: message }],
    ["an empty message stays empty", stored({ sourceUri: SUBSCRIPTION, sourceLine: null, messageId: "m-1", payloadString: "" }), { ok: false, errorClass: "empty_message", source: message }],
    ["a blank stored record", stored({ payloadString: "  " }), { ok: false, errorClass: "empty_record", source: file }],
  ] as [string, StoredDeadLetter, Expected][])("%s", (_name, dead, expected) => {
    const outcome = decodeDeadLetter(dead, 64);
    if (expected.ok) {
      expect(outcome).toMatchObject({ ok: true, value: { fields: expected.fields, envelope: { source: expected.source, attempt: 1 } } });
      expect(outcome.ok && outcome.value.textual === true).toBe(expected.textual === true);
    } else {
      expect(outcome).toMatchObject({ ok: false, dead: { errorClass: expected.errorClass, envelope: { source: expected.source } } });
    }
  });

  test("a message keeps its attributes", () => {
    const outcome = decodeDeadLetter(stored({ sourceUri: SUBSCRIPTION, sourceLine: null, messageId: "m-1", attributes: '{"k":"v"}' }), 1024);
    expect(outcome.ok && outcome.value.envelope.attributes).toEqual({ k: "v" });
  });
});

describe("which dead letters can be replayed", () => {
  test.each([
    ["one record, kept whole", stored(), undefined],
    ["an oversized record (only a preview was kept)", stored({ errorClass: "record_too_large" }), "only a preview of the oversized record was kept"],
    ["a corrupt block of 40 records", stored({ errorClass: "corrupt_avro_block", records: 40 }), "it stands for 40 records, none of them stored"],
    ["an unreadable file", stored({ errorClass: "unreadable_file", records: null }), "it stands for records that cannot be counted"],
  ])("%s", (_name, dead, reason) => {
    expect(notReplayableBecause(dead)).toBe(reason);
  });
});

describe("replayChunks", () => {
  test("one record per source, the rows of a record kept together, and chunks cut by payload size", () => {
    const rows = [
      stored({ sourceLine: 1 }),
      stored({ sourceLine: 1, errorClass: "delivery_attempts_exhausted" }),
      stored({ sourceLine: 2, errorClass: "record_too_large" }),
      stored({ sourceLine: 3 }),
      stored({ sourceLine: 4, errorClass: "corrupt_avro_block", records: 9 }),
      stored({ sourceLine: 5 }),
    ];
    const notReplayable: Record<string, number> = {};
    const chunks = [...replayChunks(rows, EVENT.length * 2, notReplayable)];
    expect(chunks.map((c) => [c.records.map((r) => r.sourceLine), c.rows.map((r) => r.sourceLine)])).toEqual([
      [[1, 3], [1, 1, 3]],
      [[5], [5]],
    ]);
    expect(notReplayable).toEqual({ "validate/record_too_large": 1, "validate/corrupt_avro_block": 1 });
  });

  test("nothing selected, nothing to run", () => {
    expect([...replayChunks([], 1 << 20, {})]).toEqual([]);
  });
});

describe("settleDeadLetters", () => {
  const at = { runId: "replay-1", at: "2001-02-02T00:00:00.000Z" };
  const key = (line: number) => recordKey({ sourceUri: "file:///data/a.jsonl", sourceLine: line, messageId: null });
  const results = {
    written: new Set([key(1)]),
    duplicates: new Set([key(2)]),
    failed: new Map([[key(3), { errorStage: "validate", errorClass: "constraint.min", errorMessage: "distance: must be at least 1 (got 0)" }]]),
  };

  test("written and duplicate settle the row with its old reason; failed again takes the new one", () => {
    const rows = [stored({ sourceLine: 1 }), stored({ sourceLine: 2 }), stored({ sourceLine: 3 }), stored({ sourceLine: 3 })];
    expect(settleDeadLetters(rows, results, at).map((s) => [s.sourceLine, s.selectedClass, s.replayOutcome, s.errorClass, s.errorMessage])).toEqual([
      [1, "constraint.max", "written", "constraint.max", "delay: must be at most 2880 (got 3000)"],
      [2, "constraint.max", "duplicate", "constraint.max", "delay: must be at most 2880 (got 3000)"],
      [3, "constraint.max", "failed_again", "constraint.min", "distance: must be at least 1 (got 0)"],
    ]);
  });

  test("a replayed record that ended nowhere is an error, not a settled row", () => {
    expect(() => settleDeadLetters([stored({ sourceLine: 9 })], results, at)).toThrow(/ended nowhere/);
  });
});

test("storedDeadLetter reads numbers that arrive as text, and keeps nulls", () => {
  const row = { ...stored(), sourceLine: "12", records: "1", messageId: undefined, payloadBytes: null };
  expect(storedDeadLetter(row)).toEqual({ ...stored(), sourceLine: 12, records: 1, messageId: null });
});

test.each([
  ["constraint.max", { errorClass: "constraint.max" }],
  ["validate/constraint.max", { errorStage: "validate", errorClass: "constraint.max" }],
])("--reason %s", (reason, columns) => {
  expect(reasonColumns(reason)).toEqual(columns);
});
