import { spawn } from "child_process";
import { nextFireTimes } from "./next-fire-times";
import { acquirePidLock, passPidLock, releasePidLock } from "./pid-lock";
import { localTick, type LocalSchedule } from "./local-plan";

const MAX_SLEEP_MS = 2 ** 31 - 1;

export type TickEvent =
  | { kind: "waiting"; until: string }
  | { kind: "started"; at: string; partition: string; pid: number }
  | { kind: "finished"; at: string; partition: string; exitCode: number | null; signal: string | null }
  | { kind: "skipped"; at: string; partition: string; heldBy: number };

export type TickOutcome = Extract<TickEvent, { kind: "finished" | "skipped" }>;

export interface TickRun {
  /** The program and its leading arguments; the tick's `rox batch` arguments follow (`roxCommand()` by default). */
  command: string[];
  onEvent: (event: TickEvent) => void;
}

/**
 * Runs one tick's batch as a child process unless another run holds the lock: the lock holds this process's PID while
 * the child starts, then the child's, and is removed when the child ends. Resolves when the child has ended.
 */
export async function runTick(schedule: LocalSchedule, tick: Date, run: TickRun): Promise<TickOutcome> {
  const { at, partition, argv } = localTick(schedule, tick);
  const lock = acquirePidLock(schedule.lockFile, process.pid);
  if (!lock.acquired) return report(run, { kind: "skipped", at, partition, heldBy: lock.heldBy });
  try {
    const child = spawn(run.command[0], [...run.command.slice(1), ...argv], { stdio: "inherit" });
    const ended = new Promise<[number | null, string | null]>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) => resolve([code, signal]));
    });
    if (child.pid !== undefined) {
      passPidLock(schedule.lockFile, child.pid);
      run.onEvent({ kind: "started", at, partition, pid: child.pid });
    }
    const [exitCode, signal] = await ended;
    releasePidLock(schedule.lockFile, child.pid ?? process.pid);
    return report(run, { kind: "finished", at, partition, exitCode, signal });
  } finally {
    releasePidLock(schedule.lockFile, process.pid);
  }
}

export interface ScheduleLoop extends TickRun {
  now: () => number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
}

/**
 * Until aborted: wait for the next tick, run it, repeat. Ticks are taken in order from the last one run, so ticks
 * missed while a run went long (or the machine slept) each get their run, one after another, never two at once.
 */
export async function runLocalSchedule(schedule: LocalSchedule, loop: ScheduleLoop): Promise<void> {
  let cursor = new Date(loop.now());
  while (!loop.signal.aborted) {
    const [tick] = nextFireTimes(schedule.cron, cursor, 1, schedule.timeZone);
    const wait = tick.getTime() - loop.now();
    if (wait > 0) {
      // Sleep, then look again: a timer cannot wait longer than ~24 days, and the clock may have been changed.
      loop.onEvent({ kind: "waiting", until: tick.toISOString() });
      await loop.sleep(Math.min(wait, MAX_SLEEP_MS), loop.signal);
      continue;
    }
    await runTick(schedule, tick, loop);
    cursor = tick;
  }
}

function report(run: TickRun, event: TickOutcome): TickOutcome {
  run.onEvent(event);
  return event;
}
