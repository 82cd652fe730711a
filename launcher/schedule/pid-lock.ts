import * as fs from "fs";
import * as path from "path";
import { isAlive } from "../../io/local/work-dirs";

export { isAlive };

export type LockAttempt = { acquired: true } | { acquired: false; heldBy: number };

/**
 * A lock file holding the PID of the process doing the work: created exclusively (O_EXCL), so of two schedulers
 * ticking at once exactly one gets it; a file whose PID is no longer alive is stale (its holder crashed) and is taken
 * over. Known gap, accepted for a local tool: two takers of the same stale lock can race, and a recycled PID makes a
 * stale lock look held until that process ends.
 */
export function acquirePidLock(file: string, pid: number): LockAttempt {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, `${pid}\n`, { flag: "wx" });
      return { acquired: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = readPidLock(file);
    if (holder !== undefined && isAlive(holder)) return { acquired: false, heldBy: holder };
    if (attempt > 0) return { acquired: false, heldBy: holder ?? 0 };
    fs.rmSync(file, { force: true });
  }
}

/** Hands the lock to another process (the child that does the work), keeping it held throughout. */
export function passPidLock(file: string, pid: number): void {
  fs.writeFileSync(file, `${pid}\n`);
}

/** Removes the lock if `pid` still holds it (a lock taken over by someone else is theirs to remove). */
export function releasePidLock(file: string, pid: number): void {
  if (readPidLock(file) === pid) fs.rmSync(file, { force: true });
}

export function readPidLock(file: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
