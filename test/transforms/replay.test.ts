import { decodeDeadLetter, csvHeaderAttributes } from "../../transforms/decode/dead-letter";
import { notReplayableBecause, reasonColumns, recordKey, replayChunks } from "../../transforms/replay";
import { settleDeadLetters, storedDeadLetter, type StoredDeadLetter } from "../../transforms/replay";

const EVENT = '{"event_id":"e1","delay":3}';
const SUBSCRIPTION = "pubsub://projects/p/subscriptions/s";
const MAX_MESSAGE = "delay: must be at most 2880 (got 3000)";

function stored(change: Partial<StoredDeadLetter> = {}): StoredDeadLetter {
  return {
    runId: "run-1",
    schemaName: "flights",
    sourceUri: "file:///data/a.jsonl",
    sourceLine: 4,
    messageId: null,
    errorStage: "validate",
    errorClass: "constraint.max",
    errorMessage: MAX_MESSAGE,
    payloadString: EVENT,
    payloadBytes: null,
    attributes: null,
    records: 1,
    ...change,
  };
}

/** A dead letter of a Pub/Sub message. */
function message(change: Partial<StoredDeadLetter> = {}): StoredDeadLetter {
  return stored({ sourceUri: SUBSCRIPTION, sourceLine: null, messageId: "m-1", ...change });
}

/** A dead letter of a CSV record, with the column names its file's records carry. */
function csv(payloadString: string): StoredDeadLetter {
  return stored({ payloadString, attributes: JSON.stringify(csvHeaderAttributes(["event_id", "delay"])) });
}

type Expected = { ok: boolean; fields?: unknown; textual?: boolean; errorClass?: string; source: object };

describe("decodeDeadLetter: a stored record decoded again as its source decoded it", () => {
  const file = { uri: "file:///data/a.jsonl", line: 4 };
  const fromMessage = { uri: SUBSCRIPTION, messageId: "m-1" };
  const event = { event_id: "e1", delay: 3 };
  const textual = { ok: true, fields: { event_id: "e1", delay: "3" }, textual: true };
  const dead = (errorClass: string, source: object = file) => ({ ok: false, errorClass, source });
  const tooLarge = `{"pad":"${"x".repeat(200)}"}`;
  const notHeader = JSON.stringify({ "rox.csvHeader": "{" });
  const payloadBytes = Buffer.from(EVENT).toString("base64");
  const exhausted = { errorStage: "read", errorClass: "delivery_attempts_exhausted", payloadBytes };
  const notUtf8 = { payloadString: "{\uFFFD}", payloadBytes: Buffer.from([0x7b, 0xff, 0x7d]).toString("base64") };
  test.each([
    ["a JSON line", stored(), { ok: true, fields: event, source: file }],
    ["a JSON line that is still malformed", stored({ payloadString: '{"event_id":' }), dead("malformed_json")],
    ["raw bytes that are still not UTF-8", stored(notUtf8), dead("invalid_utf8")],
    ["a record over the limit now", stored({ payloadString: tooLarge }), dead("record_too_large")],
    ["a CSV record, with the header its dead letter carries", csv("e1,3"), { ...textual, source: file }],
    ["a CSV record still short of a column", csv("e1"), dead("csv_column_count")],
    ["a CSV header that is not a list of names", stored({ attributes: notHeader }), dead("csv_bad_header")],
    ["a message from its text", message({ attributes: '{"k":"v"}' }), { ok: true, fields: event, source: fromMessage }],
    ["a message delivered too often starts over", message(exhausted), { ok: true, fields: event, source: fromMessage }],
    ["an empty message stays empty", message({ payloadString: "" }), dead("empty_message", fromMessage)],
    ["a blank stored record", stored({ payloadString: "  " }), dead("empty_record")],
  ] as [string, StoredDeadLetter, Expected][])("%s", (_name, deadLetter, expected) => {
    const outcome = decodeDeadLetter(deadLetter, 64);
    if (expected.ok) {
      const envelope = { source: expected.source, attempt: 1 };
      expect(outcome).toMatchObject({ ok: true, value: { fields: expected.fields, envelope } });
      expect(outcome.ok && outcome.value.textual === true).toBe(expected.textual === true);
    } else {
      const envelope = { source: expected.source };
      expect(outcome).toMatchObject({ ok: false, dead: { errorClass: expected.errorClass, envelope } });
    }
  });

  test("a message keeps its attributes", () => {
    const outcome = decodeDeadLetter(message({ attributes: '{"k":"v"}' }), 1024);
    expect(outcome.ok && outcome.value.envelope.attributes).toEqual({ k: "v" });
  });
});

const PREVIEW_ONLY = "only a preview of the oversized record was kept";

describe("which dead letters can be replayed", () => {
  test.each([
    ["one record, kept whole", stored(), undefined],
    ["an oversized record", stored({ errorClass: "record_too_large" }), PREVIEW_ONLY],
    ["a corrupt block of 40 records", stored({ records: 40 }), "it stands for 40 records, none of them stored"],
    ["an unreadable file", stored({ records: null }), "it stands for records that cannot be counted"],
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
      [
        [1, 3],
        [1, 1, 3],
      ],
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
  const minMessage = "distance: must be at least 1 (got 0)";
  const results = {
    written: new Set([key(1)]),
    duplicates: new Set([key(2)]),
    failed: new Map([[key(3), { errorStage: "validate", errorClass: "constraint.min", errorMessage: minMessage }]]),
  };

  test("written and duplicate settle the row with its old reason; failed again takes the new one", () => {
    const rows = [1, 2, 3, 3].map((sourceLine) => stored({ sourceLine }));
    const settled = settleDeadLetters(rows, results, at);
    expect(settled.map((s) => [s.sourceLine, s.selectedClass, s.replayOutcome, s.errorClass, s.errorMessage])).toEqual([
      [1, "constraint.max", "written", "constraint.max", MAX_MESSAGE],
      [2, "constraint.max", "duplicate", "constraint.max", MAX_MESSAGE],
      [3, "constraint.max", "failed_again", "constraint.min", minMessage],
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
