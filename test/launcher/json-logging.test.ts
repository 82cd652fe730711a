import * as fs from "fs";
import * as path from "path";
import { chooseLogFormat, labelsOf, takeLogFormat } from "../../launcher/logging/json-logging";
import { LABELS_KEY, logEntry } from "../../launcher/logging/log-entry";
import { redactSecrets } from "../../launcher/logging/redact";
import { writeFlightSample } from "../../tools/sample/flights";
import { entriesOf, runRox } from "../support/rox-cli";
import { tempDir } from "../support/temp";

describe("the format", () => {
  test.each([
    [undefined, {}, "text"],
    [undefined, { K_SERVICE: "rox" }, "json"],
    [undefined, { CLOUD_RUN_JOB: "rox" }, "json"],
    [undefined, { CLOUD_ML_JOB_ID: "123" }, "json"],
    ["text", { K_SERVICE: "rox" }, "text"],
    [undefined, { ROX_LOG_FORMAT: "json" }, "json"],
    ["json", {}, "json"],
  ])("flag %p with %p: %p", (flag, env, format) => {
    expect(chooseLogFormat(flag, env)).toBe(format);
  });

  test("taken out of the command line in either spelling; a bad or missing value is a usage error", () => {
    expect(takeLogFormat(["batch", "--log-format", "json", "--schema", "x"], {})).toEqual({
      format: "json",
      rest: ["batch", "--schema", "x"],
    });
    expect(takeLogFormat(["batch", "--log-format=text"], {})).toEqual({ format: "text", rest: ["batch"] });
    expect(() => takeLogFormat(["batch", "--log-format=yaml"], {})).toThrow(/--log-format must be json or text/);
    expect(() => takeLogFormat(["batch", "--log-format"], {})).toThrow(/needs a value/);
  });

  test("labels from the command line", () => {
    expect(
      labelsOf(["score", "--model", "m@champion", "--on", "flights", "--partition=2001-01-02", "--run-id", "r1"]),
    ).toEqual({
      command: "score",
      model: "m@champion",
      table: "flights",
      partition: "2001-01-02",
      run_id: "r1",
    });
    expect(labelsOf(["batch", "--schema", "--replace"])).toEqual({ command: "batch" });
  });
});

describe("an entry", () => {
  const labels = { command: "batch", schema: "flights" };
  test.each([
    ["chunk 1/2  100 records", "INFO", "chunk 1/2  100 records"],
    ["rox: no such file", "ERROR", "rox: no such file"],
    ["warning: the topic has no subscription", "WARNING", "warning: the topic has no subscription"],
    ["\u001b[2Kchunk 2/2", "INFO", "chunk 2/2"],
  ])("%j", (line, severity, message) => {
    expect(logEntry(line, "INFO", labels, "T")).toEqual({ severity, message, time: "T", [LABELS_KEY]: labels });
  });

  test("a line that is an entry already keeps its fields and gains the labels (its own win)", () => {
    const alert = JSON.stringify({
      severity: "WARNING",
      message: "drift",
      time: "A",
      [LABELS_KEY]: { metric: "m", schema: "own" },
    });
    expect(logEntry(alert, "INFO", labels, "T")).toEqual({
      severity: "WARNING",
      message: "drift",
      time: "A",
      [LABELS_KEY]: { command: "batch", schema: "own", metric: "m" },
    });
  });
});

describe("no secret reaches a log", () => {
  test.each([
    ["Authorization: Bearer ya29.a0AfH6SMBxyz-123_456", "Authorization: Bearer [REDACTED]"],
    ["token ya29.a0AfH6SMBxyz in a message", "token [REDACTED] in a message"],
    [
      '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n", "x": 1}',
      '{"private_key": "[REDACTED]", "x": 1}',
    ],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----", "[REDACTED PRIVATE KEY]"],
    ['{"client_secret":"abc","refresh_token":"def"}', '{"client_secret":"[REDACTED]","refresh_token":"[REDACTED]"}'],
    [
      "GET https://x.example/v1?key=AIzaSyA-1234567890abcdefghijklmnopqrstu&alt=json",
      "GET https://x.example/v1?key=[REDACTED]&alt=json",
    ],
    ["https://user:hunter2@host.example/path", "https://user:[REDACTED]@host.example/path"],
    ["read 5 records from gs://bucket/a.jsonl", "read 5 records from gs://bucket/a.jsonl"],
  ])("%j", (text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
  });
});

describe("rox batch --log-format json on real flights", () => {
  const work = tempDir("json-logs");
  afterAll(() => work.cleanup());

  test("every line of stdout and stderr parses, carries the labels, and the run id once the job has one", async () => {
    const input = path.join(work.dir, "events");
    await writeFlightSample({
      outDir: input,
      format: "jsonl",
      by: "day",
      from: "2001-01-08",
      to: "2001-01-09",
      limit: 500,
    });
    fs.writeFileSync(path.join(input, "faults.jsonl"), "{not json\n");
    const warehouse = path.join(work.dir, "w.duckdb");
    const run = await runRox([
      "batch",
      "--input",
      input,
      "--schema",
      "flights",
      "--warehouse",
      warehouse,
      "--log-format",
      "json",
    ]);
    expect(run.code).toBe(0);
    const entries = entriesOf(run.stdout, run.stderr);
    expect(entries.length).toBeGreaterThan(5);
    for (const e of entries) {
      expect(e).toMatchObject({ severity: expect.any(String), message: expect.any(String), time: expect.any(String) });
      expect(e[LABELS_KEY]).toMatchObject({ command: "batch", schema: "flights" });
    }
    const summary = entries.filter((e) => String(e.message).startsWith("read "));
    expect(summary).not.toEqual([]);
    expect(summary[0][LABELS_KEY]).toMatchObject({ job: "batch", run_id: expect.stringMatching(/^batch-/) });

    const failed = await runRox([
      "batch",
      "--input",
      path.join(work.dir, "missing"),
      "--schema",
      "flights",
      "--log-format",
      "json",
    ]);
    expect(failed.code).toBe(3);
    expect(entriesOf(failed.stdout, failed.stderr)).toEqual([
      expect.objectContaining({ severity: "ERROR", message: expect.stringMatching(/^rox: /) }),
    ]);
  }, 300_000);
});
