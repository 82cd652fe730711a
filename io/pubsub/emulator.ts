import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freeLoopbackPort, settlesWithin, signalGroup } from "../emulator-process";
import { EmulatorStartError } from "./errors";
import { findEmulator, type EmulatorInstall } from "./emulator-install";
import {
  DEFAULT_STATE_FILE,
  isEmulatorProcess,
  logFileFor,
  logTail,
  readEmulatorState,
  removeEmulatorState,
  writeEmulatorState,
  type EmulatorState,
} from "./emulator-state";

export { findEmulator } from "./emulator-install";
export { DEFAULT_STATE_FILE } from "./emulator-state";

export interface StartEmulatorOptions {
  stateFile?: string;
  /** Default: a free loopback port. */
  port?: number;
  /** How long to wait for the first HTTP answer (default 60 s; it usually takes ~2 s). */
  timeoutMs?: number;
  install?: EmulatorInstall;
}

export interface EmulatorHandle extends EmulatorState {
  stateFile: string;
  stop(): Promise<void>;
}

export interface EmulatorStatus {
  /** The state file names a live emulator process. */
  running: boolean;
  /** It answers HTTP on its host. */
  answering: boolean;
  state?: EmulatorState;
  stateFile: string;
}

const POLL_MS = 100;
const STOP_GRACE_MS = 5_000;

/**
 * Starts the emulator on 127.0.0.1 in its own process group, records it in the state file and waits until it answers.
 * It keeps nothing between starts: topics and subscriptions must be created again after every start.
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const stateFile = options.stateFile ?? DEFAULT_STATE_FILE;
  await refuseIfRunning(stateFile);
  const install = options.install ?? findEmulator();
  const port = options.port ?? (await freeLoopbackPort());
  const host = `127.0.0.1:${port}`;
  const logFile = logFileFor(stateFile);
  const child = spawnEmulator(install, port, logFile);
  const state: EmulatorState = { pid: child.pid, host, startedAt: new Date().toISOString(), logFile };
  // Recorded before the wait, so an emulator that never answers can still be stopped by `rox emulator stop`.
  writeEmulatorState(stateFile, state);
  try {
    await waitUntilAnswering(host, child.exited, options.timeoutMs ?? 60_000, logFile);
  } catch (err) {
    await stopOwnEmulator(child, stateFile);
    throw err;
  }
  return { ...state, stateFile, stop: () => stopOwnEmulator(child, stateFile) };
}

/** Stops the recorded emulator's process group (SIGTERM, SIGKILL after a grace period) and removes the state file. */
export async function stopEmulator(
  stateFile: string = DEFAULT_STATE_FILE,
): Promise<{ stopped: boolean; pid?: number }> {
  const state = readEmulatorState(stateFile);
  const running = state !== undefined && isEmulatorProcess(state.pid);
  if (running) await killGroup(state.pid);
  removeEmulatorState(stateFile);
  return { stopped: running, pid: state?.pid };
}

export async function emulatorStatus(stateFile: string = DEFAULT_STATE_FILE): Promise<EmulatorStatus> {
  const state = readEmulatorState(stateFile);
  const running = state !== undefined && isEmulatorProcess(state.pid);
  const answering = running && (await isAnswering(state.host, 2_000));
  return { running, answering, state, stateFile };
}

/** The emulator answers `GET /` with 200 "Ok" once its server is up. */
export async function isAnswering(host: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.text();
    return response.ok;
  } catch {
    return false;
  }
}

async function refuseIfRunning(stateFile: string): Promise<void> {
  const status = await emulatorStatus(stateFile);
  if (!status.running) return;
  const { pid, host } = status.state!;
  throw new EmulatorStartError(
    `an emulator is already running (pid ${pid}, ${host}, state in ${stateFile}): stop it first (rox emulator stop) or use another state file`,
  );
}

/**
 * The handle stops the emulator it started by its own PID (even if the state file was removed meanwhile), then waits
 * until Node has reaped the child, so the PID is really gone when `stop` returns.
 */
async function stopOwnEmulator(child: SpawnedEmulator, stateFile: string): Promise<void> {
  if (isEmulatorProcess(child.pid)) await killGroup(child.pid);
  if (readEmulatorState(stateFile)?.pid === child.pid) removeEmulatorState(stateFile);
  await settlesWithin(child.reaped, STOP_GRACE_MS); // its timer is cleared: a pending one would keep Node alive 5 s
}

interface SpawnedEmulator {
  pid: number;
  /** How it exited, once it has. */
  exited: () => string | undefined;
  reaped: Promise<void>;
}

/** `detached` gives the emulator its own process group, so stopping it kills the JVM and nothing else. */
function spawnEmulator(install: EmulatorInstall, port: number, logFile: string): SpawnedEmulator {
  fs.mkdirSync(path.dirname(path.resolve(logFile)), { recursive: true });
  const log = fs.openSync(logFile, "w");
  let child: ChildProcess;
  try {
    child = spawn(install.launcher, ["--host=127.0.0.1", `--port=${port}`], {
      detached: true,
      stdio: ["ignore", log, log],
    });
  } finally {
    fs.closeSync(log);
  }
  let exit: string | undefined;
  child.once("error", (err) => (exit = err.message)); // e.g. EACCES; without a listener it would crash the process
  const reaped = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    }),
  );
  if (child.pid === undefined) throw new EmulatorStartError(`could not run ${install.launcher}`);
  child.unref(); // `rox emulator start` returns while the emulator keeps running
  return { pid: child.pid, exited: () => exit, reaped };
}

async function waitUntilAnswering(
  host: string,
  exited: () => string | undefined,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit)
      throw new EmulatorStartError(
        `the emulator exited (${exit}) before answering on ${host}; log ${logFile}:\n${logTail(logFile)}`,
      );
    if (await isAnswering(host, 1_000)) return;
    await sleep(POLL_MS);
  }
  throw new EmulatorStartError(
    `the emulator did not answer on http://${host}/ within ${timeoutMs / 1000} s; log ${logFile}:\n${logTail(logFile)}`,
  );
}

async function killGroup(pid: number): Promise<void> {
  signalGroup(pid, "SIGTERM");
  if (await exitsWithin(pid, STOP_GRACE_MS)) return;
  signalGroup(pid, "SIGKILL");
  await exitsWithin(pid, STOP_GRACE_MS);
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isEmulatorProcess(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
