import { runLocalSchedule, type TickEvent } from "./local-runner";
import { roxCommand, type LocalSchedule } from "./local-plan";

/**
 * Runs a local schedule in this process until SIGINT or SIGTERM: `rox schedule batch --local` and `rox schedule score
 * --local` alike. A signal stops the wait for the next tick; a run already started ends on its own.
 */
export async function runScheduleHere(schedule: LocalSchedule, onEvent: (event: TickEvent) => void): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop).once("SIGTERM", stop);
  try {
    await runLocalSchedule(schedule, {
      command: roxCommand(),
      now: Date.now,
      sleep: sleepUnlessAborted,
      signal: controller.signal,
      onEvent,
    });
  } finally {
    process.off("SIGINT", stop).off("SIGTERM", stop);
  }
}

/** One line per tick event, naming the command each tick runs (e.g. "rox batch") and what the wait is for. */
export function tickPrinter(command: string, nextRun: string): (event: TickEvent) => void {
  return (event) => {
    if (event.kind === "waiting") console.log(`${nextRun} at ${event.until}`);
    if (event.kind === "started")
      console.log(`${event.at}: ${command} for ${event.partition} started (PID ${event.pid})`);
    if (event.kind === "finished")
      console.log(`${event.at}: ${command} for ${event.partition} ended (${event.signal ?? `exit ${event.exitCode}`})`);
    if (event.kind === "skipped")
      console.log(`${event.at}: skipped ${event.partition}: the run with PID ${event.heldBy} still holds the lock`);
  };
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
