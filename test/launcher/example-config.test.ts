import * as path from "path";
import { main } from "../../launcher/main";

// The README's rox.config.example.json must stay valid: every cloud command plans from it (--dry-run sends nothing),
// with no flag beyond what the command itself needs.
const CONFIG = path.resolve(__dirname, "..", "..", "rox.config.example.json");

let printed: string[] = [];
const log = console.log;
beforeEach(() => {
  printed = [];
  console.log = (...args: unknown[]) => void printed.push(args.join(" "));
});
afterEach(() => {
  console.log = log;
});

test.each<[string, string[]]>([
  [
    "launch batch",
    [
      "launch",
      "batch",
      "--schema",
      "flights",
      "--input",
      "gs://my-ml-project-landing/flights/dt={date}/*.jsonl",
      "--date",
      "2001-01-02",
    ],
  ],
  [
    "launch stream",
    ["launch", "stream", "--schema", "flights", "--subscription", "projects/my-ml-project/subscriptions/flights"],
  ],
  ["jobs drain", ["jobs", "drain", "--job-id", "2001-01-02_00_00_00-123"]],
  [
    "schedule batch",
    [
      "schedule",
      "batch",
      "--cron",
      "0 2 * * *",
      "--input-template",
      "gs://my-ml-project-landing/flights/dt={date}/*.jsonl",
      "--schema",
      "flights",
    ],
  ],
])("%s plans from the example config", async (_name, args) => {
  expect(await main([...args, "--config", CONFIG, "--dry-run"])).toBe(0);
  const plan = JSON.parse(printed.join("\n"));
  expect(JSON.stringify(plan)).toContain("my-ml-project");
  expect(plan.service).toMatch(/^google\./);
});
