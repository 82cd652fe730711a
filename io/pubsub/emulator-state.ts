import * as fs from "fs";
import * as path from "path";

export const DEFAULT_STATE_FILE = path.join(".rox", "pubsub-emulator.json");

/** What `startEmulator` records so another process (`rox emulator stop`, `rox publish`) can find the emulator. */
export interface EmulatorState {
  pid: number;
  host: string;
  startedAt: string;
  logFile: string;
}

export function readEmulatorState(stateFile: string): EmulatorState | undefined {
  if (!fs.existsSync(stateFile)) return undefined;
  try {
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as EmulatorState;
    return Number.isInteger(state.pid) && typeof state.host === "string" ? state : undefined;
  } catch {
    return undefined; // a truncated or hand-edited file describes no emulator we can manage
  }
}

export function writeEmulatorState(stateFile: string, state: EmulatorState): void {
  fs.mkdirSync(path.dirname(path.resolve(stateFile)), { recursive: true });
  fs.writeFileSync(stateFile, JSON.stringify(state, null, 2) + "\n");
}

export function removeEmulatorState(stateFile: string): void {
  fs.rmSync(stateFile, { force: true });
}

/** The emulator's log sits next to its state file, so a test's temp state file keeps its logs out of `.rox/`. */
export function logFileFor(stateFile: string): string {
  return stateFile.replace(/\.json$/, "") + ".log";
}

/**
 * True when `pid` is a live process that is our emulator. The command-line check (Linux `/proc`) guards against a PID
 * reused by an unrelated process after the emulator died; a zombie (exited, not yet reaped) counts as gone.
 */
export function isEmulatorProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false; // ESRCH: gone; EPERM: another user's process, so not one we started
  }
  return !isZombie(pid) && commandLineMentions(pid, "pubsub-emulator");
}

function isZombie(pid: number): boolean {
  const stat = readProcFile(pid, "stat");
  return stat !== undefined && / Z /.test(stat.slice(stat.lastIndexOf(")")));
}

function commandLineMentions(pid: number, word: string): boolean {
  const cmdline = readProcFile(pid, "cmdline");
  return cmdline === undefined || cmdline.includes(word); // no /proc (macOS): trust the recorded PID
}

function readProcFile(pid: number, name: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${name}`, "utf8");
  } catch {
    return undefined;
  }
}

const TAIL_BYTES = 16 * 1024;

/** The last lines of a log, for error messages; reads only the end of the file. */
export function logTail(logFile: string, lines = 20): string {
  if (!fs.existsSync(logFile)) return "(no log)";
  const fd = fs.openSync(logFile, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, TAIL_BYTES));
    fs.readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } finally {
    fs.closeSync(fd);
  }
}
