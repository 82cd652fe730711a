/** `rox schedule score --local`: each tick runs `rox score` for the day before it, through the batch scheduler's machinery. */
import * as fs from "fs";
import * as path from "path";
import { scheduleCommand } from "../../launcher/commands/schedule";
import { UsageError } from "../../launcher/errors";
import { planScoreSchedule } from "../../launcher/models/schedule-score";
import { runTick } from "../../launcher/schedule/local-runner";
import { tempDir } from "../support/temp";

const work = tempDir("schedule-score");
afterAll(() => work.cleanup());
const values = {
  local: true,
  cron: "30 3 * * *",
  model: "flights-delay@champion",
  on: "flights",
  "time-zone": "Etc/UTC",
  warehouse: "w.duckdb",
  "lock-file": path.join(work.dir, "score.lock"),
};

test("--dry-run lists the next ticks, each scoring the day before it", async () => {
  const log = console.log;
  const printed: string[] = [];
  console.log = (text: string) => printed.push(text);
  try {
    await scheduleCommand([
      "score",
      "--local",
      "--dry-run",
      "--cron",
      "30 3 * * *",
      "--model",
      "flights-delay@champion",
      "--on",
      "flights",
      "--time-zone",
      "Etc/UTC",
    ]);
  } finally {
    console.log = log;
  }
  const plan = JSON.parse(printed.join("\n"));
  expect(plan.method).toBe("score");
  for (const tick of plan.request.next) {
    const dayBefore = new Date(Date.parse(tick.at) - 86_400_000).toISOString().slice(0, 10);
    expect(tick.argv).toEqual([
      "score",
      "--model",
      "flights-delay@champion",
      "--on",
      "flights",
      "--partition",
      dayBefore,
    ]);
    expect(tick.at.slice(11, 16)).toBe("03:30");
  }
});

test("a tick runs the score command for its day as a child process, holding the lock while it runs", async () => {
  const out = path.join(work.dir, "argv.json");
  const script = `require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(1)))`;
  const events: string[] = [];
  await runTick(planScoreSchedule(values), new Date("2001-01-16T03:30:00Z"), {
    command: [process.execPath, "-e", script, "--"],
    onEvent: (e) => events.push(e.kind),
  });
  expect(JSON.parse(fs.readFileSync(out, "utf8"))).toEqual([
    "score",
    "--model",
    "flights-delay@champion",
    "--on",
    "flights",
    "--partition",
    "2001-01-15",
    "--warehouse",
    "w.duckdb",
  ]);
  expect(events).toEqual(["started", "finished"]);
  expect(fs.existsSync(values["lock-file"])).toBe(false);
});

test("without --local or --target cloud-run-job it is a usage error", async () => {
  await expect(
    scheduleCommand(["score", "--cron", "30 3 * * *", "--model", "flights-delay@champion", "--on", "flights"]),
  ).rejects.toThrow(UsageError);
});
