import * as fs from "fs";
import * as path from "path";
import { runBatchJob, type BatchJobOptions } from "../../pipelines/batch-job";
import { DuckDbWarehouse } from "../../io/local/duckdb-warehouse";
import { unaccounted, type JobSummary } from "../../transforms/summary";
import { tempDir } from "../support/temp";

// Hostile text input (issue 9, items 1 and 2): every record ends in exactly one place, one bad record never takes its
// chunk down with it, and the summary's counts equal what was fed.
let work: ReturnType<typeof tempDir>;
beforeAll(() => (work = tempDir("hostile-text")));
afterAll(() => work.cleanup());

const flight = (i: number, extra: Record<string, unknown> = {}) => ({
  event_id: `f${i}`,
  date: new Date(Date.UTC(2001, 0, 3, i % 24, i % 60)).toISOString(),
  delay: i % 90,
  distance: 100 + (i % 900),
  origin: "LAS",
  destination: "PHL",
  ...extra,
});

interface Run {
  summary: JobSummary;
  dead: { errorClass: string; sourceLine: number; errorMessage: string; payloadString: string }[];
  events: number;
}

async function runOn(name: string, content: string | Buffer, options: Partial<BatchJobOptions> = {}): Promise<Run> {
  const input = path.join(work.dir, name);
  fs.writeFileSync(input, content);
  const warehouse = await DuckDbWarehouse.open(path.join(work.dir, `${name}.duckdb`));
  try {
    const summary = await runBatchJob({ input, schema: "flights", workDir: work.dir, ...options }, warehouse);
    const dead = (await warehouse.query(
      `SELECT errorClass, sourceLine, errorMessage, payloadString FROM dead_letters ORDER BY sourceLine`,
    )) as Run["dead"];
    const [{ n }] = await warehouse.query("SELECT count(*) AS n FROM flights");
    expect(unaccounted(summary)).toBe(0);
    return { summary, dead: dead.map((d) => ({ ...d, sourceLine: Number(d.sourceLine) })), events: Number(n) };
  } finally {
    await warehouse.close();
  }
}

const jsonl = (records: unknown[]) =>
  records.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n") + "\n";

describe("text that is not valid Unicode is a dead letter of its own; no text the job writes splits a character", () => {
  test.each([
    ["a lone high surrogate", "bad-\ud800"],
    ["a lone low surrogate", "bad-\udc00"],
    ["a reversed pair", "bad-\udc00\ud800"],
    ["a high surrogate at the end", "bad\ud83d"],
  ])("%s in a JSON string: invalid_unicode, and the rest of the chunk lands", async (name, id) => {
    const lines = [
      flight(1),
      flight(2, { event_id: id }),
      flight(3),
      flight(4, { route_note: ["ok", { deep: "x\udfff" }] }),
    ];
    const run = await runOn(`surrogate-${name.replace(/ /g, "-")}.jsonl`, jsonl(lines));
    expect(run.summary).toMatchObject({ read: 4, written: 2, deadLettered: 2 });
    expect(run.summary.byReason).toEqual({ "decode/invalid_unicode": 2 });
    expect(run.dead.map((d) => d.sourceLine)).toEqual([2, 4]);
    expect(run.events).toBe(2);
  });

  test("a surrogate escape in a key is caught as well", async () => {
    const run = await runOn("key.jsonl", jsonl([flight(1), `{"event_id":"k","\\ud800":1}`]));
    expect(run.summary.byReason).toEqual({ "decode/invalid_unicode": 1 });
    expect(run.dead[0].errorMessage).not.toMatch(/[\ud800-\udfff]/);
  });

  test("a paired escape (an emoji written as \\ud83d\\ude00), NUL and U+FFFF are valid text and land", async () => {
    const run = await runOn(
      "valid-escapes.jsonl",
      `${jsonl([flight(1)])}{"event_id":"\\ud83d\\ude00\\u0000\\uffff","date":"2001-01-03T01:00:00Z","delay":1,"distance":5,"origin":"SFO","destination":"LAX"}\n`,
    );
    expect(run.summary).toMatchObject({ read: 2, written: 2, deadLettered: 0 });
  });

  test("a dead-letter message is cut between characters (an origin of 75 As, an emoji, BBBB)", async () => {
    const origin = `${"A".repeat(75)}😀BBBB`;
    const run = await runOn("describe.jsonl", jsonl([flight(1, { origin }), flight(2)]));
    expect(run.summary).toMatchObject({ read: 2, written: 1, deadLettered: 1 });
    expect(run.dead[0].errorClass).toBe("constraint.pattern");
    expect(run.dead[0].errorMessage).toContain(`"${"A".repeat(75)}...`);
  });

  test("a malformed line of emojis (V8 quotes it cut in half) is one malformed_json dead letter", async () => {
    const run = await runOn(
      "emoji.jsonl",
      jsonl(["😀😀😀x😀😀😀😀😀😀😀😀😀😀", flight(1), "😀".repeat(3) + "AAAA" + "x".repeat(40)]),
    );
    expect(run.summary).toMatchObject({ read: 3, written: 1, deadLettered: 2 });
    expect(run.summary.byReason).toEqual({ "decode/malformed_json": 2 });
  });

  test("a 2 MB line of emojis is too large; its preview is cut between characters", async () => {
    const run = await runOn("huge-emoji.jsonl", jsonl([`{"event_id":"xy${"é😀".repeat(400_000)}"}`, flight(1)]));
    expect(run.summary.byReason).toEqual({ "decode/record_too_large": 1 });
    expect(run.dead[0].payloadString).not.toContain("\ufffd");
  });

  test("invalid UTF-8 of every kind (overlong, CESU-8 surrogate, cut sequence, 0xFF) is invalid_utf8, line by line", async () => {
    const bad = [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff]].map((b) =>
      Buffer.concat([Buffer.from('{"event_id":"'), Buffer.from(b), Buffer.from('"}\n')]),
    );
    const run = await runOn("utf8.jsonl", Buffer.concat([...bad, Buffer.from(jsonl([flight(1)]))]));
    expect(run.summary).toMatchObject({ read: 5, written: 1, deadLettered: 4 });
    expect(run.summary.byReason).toEqual({ "decode/invalid_utf8": 4 });
  });

  test("BOM, CRLF, blank lines and a missing final newline", async () => {
    const text = `\ufeff${JSON.stringify(flight(1))}\r\n\r\n   \r\n${JSON.stringify(flight(2))}\r\n${JSON.stringify(flight(3))}`;
    const run = await runOn("bom-crlf.jsonl", text);
    expect(run.summary).toMatchObject({ read: 3, written: 3 });
  });

  test("an empty file and a file of blank lines read nothing", async () => {
    expect((await runOn("empty.jsonl", "")).summary).toMatchObject({ read: 0, written: 0 });
    expect((await runOn("blank.csv", "\n\r\n  \n")).summary).toMatchObject({ read: 0, written: 0 });
  });
});

describe("CSV framing follows BigQuery's loader: one stray quote costs one record", () => {
  const header = "event_id,date,delay,distance,origin,destination";
  const row = (i: number) => `f${i},${flight(i).date},${i % 90},${100 + (i % 900)},LAS,PHL`;
  const rows = (n: number, broken: number) =>
    Array.from({ length: n }, (_, i) => (i + 1 === broken ? `f${i + 1},"${flight(i).date},1,2,LAS,PHL` : row(i + 1)));
  const ROWS = 5_000;

  test("by default a newline ends a record: a stray quote at row 10 is one dead letter", async () => {
    const run = await runOn("stray.csv", [header, ...rows(ROWS, 10)].join("\n") + "\n", { chunkBytes: 64 << 10 });
    expect(run.summary).toMatchObject({ read: ROWS, written: ROWS - 1, deadLettered: 1 });
    expect(run.dead.map((d) => [d.errorClass, d.sourceLine])).toEqual([["csv_bad_quoting", 11]]);
  });

  test("--csv-quoted-newlines keeps a quoted newline, and a stray quote still cannot run past --max-record-bytes", async () => {
    const quoted = `f0,"2001-01-03T00:00:00Z",1,2,LAS,"PHL"\r\n`;
    const text = [header, ...rows(ROWS, 10)]
      .join("\n")
      .replace(`\n${row(3)}`, `\n${row(3).replace(",LAS,", ',"L\nAS",')}`);
    const run = await runOn("stray-quoted.csv", `${header}\r\n${quoted}${text.slice(header.length + 1)}\n`, {
      csvQuotedNewlines: true,
      maxRecordBytes: 4096,
      chunkBytes: 64 << 10,
    });
    expect(run.summary).toMatchObject({ read: ROWS + 1, deadLettered: 2 });
    expect(run.dead.map((d) => [d.errorClass, d.sourceLine])).toEqual([
      ["constraint.pattern", 5],
      ["csv_bad_quoting", 13],
    ]);
  });
});
