import * as fs from "fs";
import * as path from "path";

/**
 * Work folders that name the process owning them (`<prefix>p<pid>-XXXXXX`), so a later run can tell the folders a
 * killed run left behind — staged chunks, up to several times its input — from those of a run still going, and
 * remove only the former. A recycled PID keeps a stale folder until that process ends: the safe side.
 */
export function makeWorkDir(parent: string, prefix: string): string {
  fs.mkdirSync(parent, { recursive: true });
  return fs.mkdtempSync(path.join(parent, `${prefix}p${process.pid}-`));
}

/** Removes the folders in `parent` named `<prefix>…p<pid>-XXXXXX` whose process is gone; returns their paths. */
export function sweepWorkDirs(parent: string, prefix: RegExp): string[] {
  const owned = new RegExp(`^(?:${prefix.source})(?:.*-)?p(?<pid>\\d+)-[A-Za-z0-9]{6}$`);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(parent, { withFileTypes: true });
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const entry of entries) {
    const pid = entry.isDirectory() ? owned.exec(entry.name)?.groups?.pid : undefined;
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    const folder = path.join(parent, entry.name);
    fs.rmSync(folder, { recursive: true, force: true });
    swept.push(folder);
  }
  return swept;
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists but belongs to someone else. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
