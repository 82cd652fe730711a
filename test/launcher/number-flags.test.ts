import * as fs from "fs";
import * as path from "path";
import { main } from "../../launcher/main";
import { checkNumberFlag, NUMBER_FLAGS } from "../../launcher/number-flags";
import { captureConsole } from "../support/console-capture";

// Every numeric flag of every command is checked once, by parseFlags, against its rule in NUMBER_FLAGS: a bad value
// is a usage error (exit 2) naming the flag before the command does anything (no emulator, no file, no request).
const { errors } = captureConsole();

const COMMANDS: Record<string, string[]> = {
  "chunk-mb": ["batch", "--input", "nowhere/*.jsonl", "--schema", "flights"],
  "max-messages": ["stream", "--subscription", "s-1", "--schema", "flights", "--host", "127.0.0.1:9"],
  "idle-timeout": ["stream", "--subscription", "s-1", "--schema", "flights", "--host", "127.0.0.1:9"],
  "batch-size": ["stream", "--subscription", "s-1", "--schema", "flights", "--host", "127.0.0.1:9"],
  "batch-window-ms": ["stream", "--subscription", "s-1", "--schema", "flights", "--host", "127.0.0.1:9"],
  "max-attempts": ["stream", "--subscription", "s-1", "--schema", "flights", "--host", "127.0.0.1:9"],
  "ack-deadline": ["stream", "--subscription", "s-1", "--schema", "flights", "--host", "127.0.0.1:9"],
  rate: ["publish", "--topic", "t-1", "--from", "nowhere", "--host", "127.0.0.1:9"],
  duplicates: ["publish", "--topic", "t-1", "--from", "nowhere", "--host", "127.0.0.1:9"],
  "shuffle-within": ["publish", "--topic", "t-1", "--from", "nowhere", "--host", "127.0.0.1:9"],
  seed: ["publish", "--topic", "t-1", "--from", "nowhere", "--host", "127.0.0.1:9"],
  port: ["emulator", "start", "--state-file", "nowhere/state.json"],
  "reload-every": ["serve", "--model", "flights-delay@champion", "--warehouse", "nowhere/w.duckdb"],
  "cache-ttl": ["serve", "--model", "flights-delay@champion", "--warehouse", "nowhere/w.duckdb"],
  "max-body-bytes": ["serve", "--model", "flights-delay@champion", "--warehouse", "nowhere/w.duckdb"],
  "max-instances": ["serve", "--model", "flights-delay@champion", "--warehouse", "nowhere/w.duckdb"],
  traffic: ["deploy", "--target", "vertex-endpoint", "--model", "flights-delay@champion", "--dry-run"],
  "min-replicas": ["deploy", "--target", "cloud-run", "--model", "flights-delay@champion", "--dry-run"],
  "max-replicas": ["deploy", "--target", "cloud-run", "--model", "flights-delay@champion", "--dry-run"],
  limit: ["sample", "flights", "--out", "nowhere"],
  "interval-hours": ["monitor", "deploy", "--model", "flights-delay@champion", "--endpoint", "e-1", "--dry-run"],
  "sample-rate": ["monitor", "deploy", "--model", "flights-delay@champion", "--endpoint", "e-1", "--dry-run"],
  "max-workers": ["launch", "batch", "--schema", "flights", "--dry-run"],
  "num-workers": [
    "schedule",
    "batch",
    "--cron",
    "0 2 * * *",
    "--input-template",
    "gs://b/{date}/*",
    "--schema",
    "flights",
    "--dry-run",
  ],
  "poll-interval": ["launch", "batch", "--schema", "flights", "--wait-until-done", "--dry-run"],
  "max-wait": ["launch", "batch", "--schema", "flights", "--wait-until-done", "--dry-run"],
  parallelism: ["batch", "--runner", "flink", "--input", "nowhere/*.jsonl", "--schema", "flights"],
  "max-record-bytes": ["batch", "--input", "nowhere/*.jsonl", "--schema", "flights"],
};
const EVERYWHERE_WRONG = ["-1", "-0.5", "NaN", "Infinity", "-Infinity", "1e999", "abc", "", " 5", "0x10", "5s"];
const cases = Object.entries(COMMANDS).flatMap(([flag, argv]) =>
  EVERYWHERE_WRONG.map((value) => [flag, value, argv] as const),
);

test.each(cases)("--%s %j is refused with exit 2", async (flag, value, argv) => {
  expect(await main([...argv, `--${flag}`, value])).toBe(2);
  expect(errors.join("\n")).toContain(`--${flag} must be`);
});

test.each<[string, string[]]>([
  ["max-attempts", ["0", "1.5", "100"]],
  ["ack-deadline", ["0", "9", "601", "30.5"]],
  ["batch-size", ["0", "2.5"]],
  ["batch-window-ms", ["2.5", "600001"]],
  ["max-messages", ["0", "1.5"]],
  ["idle-timeout", ["2678401"]],
  ["duplicates", ["1.01"]],
  ["rate", ["0"]],
  ["seed", ["1.5", "4294967296"]],
  ["port", ["65536", "80.5"]],
  ["reload-every", ["86401"]],
  ["cache-ttl", ["3601"]],
  ["max-body-bytes", ["0", "1.5"]],
  ["max-instances", ["0", "100001"]],
  ["limit", ["0", "1.5"]],
  ["max-workers", ["0", "1.5", "4001"]],
  ["num-workers", ["0"]],
  ["poll-interval", ["0", "3601"]],
  ["max-wait", ["0"]],
  ["chunk-mb", ["0", "0.001", "65537"]],
])("--%s refuses its own out-of-range values %j", async (flag, values) => {
  for (const value of values) {
    errors.length = 0;
    expect(await main([...COMMANDS[flag], `--${flag}`, value])).toBe(2);
    expect(errors.join("\n")).toContain(`--${flag} must be`);
  }
});

test.each<[string, string, number]>([
  ["max-attempts", "1", 1],
  ["max-attempts", "99", 99],
  ["ack-deadline", "600", 600],
  ["idle-timeout", "0", 0],
  ["batch-window-ms", "0", 0],
  ["idle-timeout", "0.5", 0.5],
  ["duplicates", "0", 0],
  ["duplicates", "1", 1],
  ["max-workers", "1e3", 1000],
  ["chunk-mb", "0.25", 0.25],
])("--%s %s is %d", (flag, text, value) => {
  expect(checkNumberFlag(flag, text)).toBe(value);
});

test("a negative value after a numeric flag is named in the message, not taken for a flag", async () => {
  expect(await main([...COMMANDS["max-attempts"], "--max-attempts", "-1"])).toBe(2);
  expect(errors.join("\n")).toBe(
    'rox: --max-attempts must be a whole number from 1 to 99 (deliveries; got "-1"): the subscription\'s dead-letter policy is one more; Pub/Sub allows 100',
  );
});

test("a misspelled flag names the nearest one", async () => {
  expect(await main([...COMMANDS["max-attempts"], "--max-attemps", "3"])).toBe(2);
  expect(errors.join("\n")).toBe("rox: unknown flag --max-attemps (did you mean --max-attempts?)");
});

// A command that reads a number with optionalNumber must declare its rule: this finds any flag that does not.
test("every flag read as a number has a rule in NUMBER_FLAGS", () => {
  const root = path.resolve(__dirname, "..", "..", "launcher");
  const read = sourcesUnder(root).flatMap((file) =>
    [...fs.readFileSync(file, "utf8").matchAll(/optionalNumber\([^,()]+,\s*"([a-z-]+)"\)/g)].map((m) => m[1]),
  );
  expect(read.length).toBeGreaterThan(10);
  expect([...new Set(read)].filter((flag) => !NUMBER_FLAGS.has(flag))).toStrictEqual([]);
  expect([...new Set(read)].filter((flag) => !(flag in COMMANDS))).toStrictEqual([]);
});

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(file);
    return entry.name.endsWith(".ts") ? [file] : [];
  });
}
