import * as fs from "fs";
import * as path from "path";
import type { Plan } from "../plan";
import { parseCron } from "./cron";
import { nextFireTimes } from "./next-fire-times";
import { dayBefore, wallClockIn } from "./zoned-clock";

/** `rox schedule batch --local`: the same schedule as the cloud one, run by this machine's clock. */
export interface LocalSchedule {
  cron: string;
  /** IANA zone; default this machine's. */
  timeZone: string;
  /** Local input with `{date}` where the partition's date goes. */
  inputTemplate: string;
  schema: string;
  /** More `rox batch` flags, passed as they are (`--warehouse x.duckdb`). */
  batchArgs: string[];
  /** Holds the PID of the running batch; a tick that finds it held by a live process is skipped. */
  lockFile: string;
  /** Another rox command per tick instead of `rox batch` (`rox schedule score`): `{date}` becomes the partition. */
  argvTemplate?: string[];
}

export interface LocalTick {
  at: string;
  /** The partition the tick processes: the day before the tick, in the schedule's zone (as the cloud schedule does). */
  partition: string;
  argv: string[];
}

/** The `rox batch` arguments of one tick. */
export function localTick(schedule: LocalSchedule, tick: Date): LocalTick {
  const partition = dayBefore(wallClockIn(schedule.timeZone)(tick.getTime()));
  if (schedule.argvTemplate)
    return {
      at: tick.toISOString(),
      partition,
      argv: schedule.argvTemplate.map((a) => a.split("{date}").join(partition)),
    };
  const input = schedule.inputTemplate.split("{date}").join(partition);
  return {
    at: tick.toISOString(),
    partition,
    argv: ["batch", "--input", input, "--schema", schedule.schema, ...schedule.batchArgs],
  };
}

/** `--dry-run --local`: the next ticks and what each would run, nothing started. */
export function planLocalSchedule(
  schedule: LocalSchedule,
  now: Date,
  count = 5,
): Plan<{ cron: string; timeZone: string; lockFile: string; next: LocalTick[] }> {
  parseCron(schedule.cron);
  const next = nextFireTimes(schedule.cron, now, count, schedule.timeZone).map((tick) => localTick(schedule, tick));
  return {
    summary: `run rox ${schedule.argvTemplate?.[0] ?? "batch"} for ${schedule.schema} at "${schedule.cron}" (${schedule.timeZone}) on this machine, one run at a time (lock ${schedule.lockFile})`,
    service: "rox (this machine)",
    method: schedule.argvTemplate?.[0] ?? "batch",
    request: { cron: schedule.cron, timeZone: schedule.timeZone, lockFile: schedule.lockFile, next },
  };
}

/** `node <package>/bin/rox.js`: found by walking up to package.json, so it works from the sources and from dist/. */
export function roxCommand(): string[] {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return [process.execPath, path.join(dir, "bin", "rox.js")];
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}
