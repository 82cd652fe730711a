import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { planLocalSchedule, type LocalSchedule } from "../../launcher/schedule/local-plan";
import { runLocalSchedule, runTick, type TickEvent } from "../../launcher/schedule/local-runner";
import { readPidLock } from "../../launcher/schedule/pid-lock";
import { tempDir } from "../support/temp";

/** The local scheduler with real child processes and a real lock file; the clock is the only thing the test drives. */
const temp = tempDir("schedule-local");
afterAll(() => temp.cleanup());

let n = 0;
function schedule(): LocalSchedule & { runsFile: string } {
  n += 1;
  return {
    cron: "0 2 * * *",
    timeZone: "Etc/UTC",
    inputTemplate: "data/flights/{date}.jsonl",
    schema: "flights",
    batchArgs: ["--warehouse", "w.duckdb"],
    lockFile: path.join(temp.dir, `run-${n}`, "batch.lock"),
    runsFile: path.join(temp.dir, `runs-${n}.jsonl`),
  };
}

/** A stand-in for `rox batch` that records its arguments (a real process, so the lock holds a real PID). */
const recorder = (file: string) => [
  process.execPath,
  "-e",
  `require("fs").appendFileSync(${JSON.stringify(file)}, JSON.stringify(process.argv.slice(1)) + "\\n")`,
  "--",
];
/** A run that lasts until the test stops it by its PID. */
const longRun = [process.execPath, "-e", "setInterval(() => {}, 1 << 30)", "--"];
const recordedRuns = (file: string) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as string[])
    : [];

test("a tick runs rox batch for the previous day's partition and removes its lock when done", async () => {
  const s = schedule();
  const events: TickEvent[] = [];
  const outcome = await runTick(s, new Date("2001-01-02T02:00:00Z"), {
    command: recorder(s.runsFile),
    onEvent: (e) => events.push(e),
  });
  expect(outcome).toEqual({
    kind: "finished",
    at: "2001-01-02T02:00:00.000Z",
    partition: "2001-01-01",
    exitCode: 0,
    signal: null,
  });
  expect(recordedRuns(s.runsFile)).toEqual([
    ["batch", "--input", "data/flights/2001-01-01.jsonl", "--schema", "flights", "--warehouse", "w.duckdb"],
  ]);
  expect(events.map((e) => e.kind)).toEqual(["started", "finished"]);
  expect(fs.existsSync(s.lockFile)).toBe(false);
});

test("a tick while the previous run still holds the lock is skipped, naming that run's PID; the next one runs", async () => {
  const s = schedule();
  let started!: (pid: number) => void;
  const firstStarted = new Promise<number>((resolve) => (started = resolve));
  const first = runTick(s, new Date("2001-01-02T02:00:00Z"), {
    command: longRun,
    onEvent: (e) => e.kind === "started" && started(e.pid),
  });
  const pid = await firstStarted;
  expect(readPidLock(s.lockFile)).toBe(pid);

  const second = await runTick(s, new Date("2001-01-03T02:00:00Z"), {
    command: recorder(s.runsFile),
    onEvent: () => {},
  });
  expect(second).toEqual({ kind: "skipped", at: "2001-01-03T02:00:00.000Z", partition: "2001-01-02", heldBy: pid });
  expect(recordedRuns(s.runsFile)).toEqual([]);

  process.kill(pid, "SIGTERM");
  expect(await first).toMatchObject({ kind: "finished", exitCode: null, signal: "SIGTERM" });
  expect(fs.existsSync(s.lockFile)).toBe(false);

  const third = await runTick(s, new Date("2001-01-03T02:00:00Z"), {
    command: recorder(s.runsFile),
    onEvent: () => {},
  });
  expect(third).toMatchObject({ kind: "finished", exitCode: 0 });
  expect(recordedRuns(s.runsFile)).toHaveLength(1);
});

test("a lock left by a process that has ended is stale and taken over", async () => {
  const s = schedule();
  const gone = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => gone.once("exit", resolve));
  fs.mkdirSync(path.dirname(s.lockFile), { recursive: true });
  fs.writeFileSync(s.lockFile, `${gone.pid}\n`);
  const outcome = await runTick(s, new Date("2001-01-02T02:00:00Z"), {
    command: recorder(s.runsFile),
    onEvent: () => {},
  });
  expect(outcome).toMatchObject({ kind: "finished", exitCode: 0 });
  expect(recordedRuns(s.runsFile)).toHaveLength(1);
  expect(fs.existsSync(s.lockFile)).toBe(false);
});

test("the loop runs each due tick in order on the clock it is given, ticks missed while asleep included", async () => {
  const s = schedule();
  let clock = Date.parse("2001-01-01T00:00:00Z");
  const controller = new AbortController();
  const events: TickEvent[] = [];
  const sleeps: number[] = [];
  await runLocalSchedule(s, {
    command: recorder(s.runsFile),
    now: () => clock,
    // The first wait oversleeps by two days (a laptop lid closed), the others wake on time.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms + (sleeps.length === 1 ? 2 * 86_400_000 : 0);
    },
    signal: controller.signal,
    onEvent: (e) => {
      events.push(e);
      if (events.filter((x) => x.kind === "finished").length === 4) controller.abort();
    },
  });
  expect(recordedRuns(s.runsFile).map((argv) => argv[2])).toEqual([
    "data/flights/2000-12-31.jsonl",
    "data/flights/2001-01-01.jsonl",
    "data/flights/2001-01-02.jsonl",
    "data/flights/2001-01-03.jsonl",
  ]);
  // Two hours to the first tick; after the catch-up runs (no waits), a full day to the fourth.
  expect(sleeps).toEqual([2 * 3_600_000, 24 * 3_600_000]);
});

test("--dry-run --local plans the next ticks in the schedule's zone without running anything", () => {
  const s = { ...schedule(), timeZone: "Europe/Berlin", cron: "30 0 * * *" };
  const plan = planLocalSchedule(s, new Date("2001-01-01T12:00:00Z"), 2);
  expect(plan.request.next).toEqual([
    {
      at: "2001-01-01T23:30:00.000Z",
      partition: "2001-01-01",
      argv: ["batch", "--input", "data/flights/2001-01-01.jsonl", "--schema", "flights", "--warehouse", "w.duckdb"],
    },
    {
      at: "2001-01-02T23:30:00.000Z",
      partition: "2001-01-02",
      argv: ["batch", "--input", "data/flights/2001-01-02.jsonl", "--schema", "flights", "--warehouse", "w.duckdb"],
    },
  ]);
  expect(fs.existsSync(s.lockFile)).toBe(false);
});

test("rox schedule batch --local waits for its next run and stops on SIGTERM with exit 0, its lock never taken", async () => {
  const s = schedule();
  const rox = path.resolve(__dirname, "..", "..", "bin", "rox.js");
  const args = ["schedule", "batch", "--local", "--cron", s.cron, "--time-zone", "Etc/UTC"];
  const child = spawn(
    process.execPath,
    [rox, ...args, "--input-template", s.inputTemplate, "--schema", "flights", "--lock-file", s.lockFile],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  const waiting = new Promise<void>((resolve) =>
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/next run at \d{4}-\d\d-\d\dT02:00:00/.test(stdout)) resolve();
    }),
  );
  const exited = new Promise<[number | null, string | null]>((resolve) =>
    child.once("exit", (code, signal) => resolve([code, signal])),
  );
  await waiting;
  child.kill("SIGTERM");
  expect(await exited).toEqual([0, null]);
  expect(fs.existsSync(s.lockFile)).toBe(false);
});
