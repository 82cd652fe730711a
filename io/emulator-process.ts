import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import { logTail } from "./pubsub/emulator-state";

/** An emulator this process started, in a process group of its own: stopping it signals that group and nothing else. */
export interface EmulatorProcess {
  pid: number;
  /** Why it exited ("code 1", "signal SIGKILL", a spawn error), or undefined while it runs. */
  exited(): string | undefined;
  /** SIGTERM to the group, SIGKILL after a grace period; takes any stragglers of the group if the leader is gone. */
  stop(): Promise<void>;
}

export interface SpawnEmulatorOptions {
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr go here; its tail is quoted when the emulator fails to start. */
  logFile: string;
  /** What to throw when it cannot be spawned or does not start: each emulator has its own typed error. */
  startError: (message: string) => Error;
}

const STOP_GRACE_MS = 5_000;
const POLL_MS = 100;

/** `detached` gives the emulator its own process group; `unref` lets a forgotten handle not keep Node alive. */
export function spawnEmulator(command: string, args: string[], options: SpawnEmulatorOptions): EmulatorProcess {
  const log = fs.openSync(options.logFile, "w");
  let child;
  try {
    child = spawn(command, args, { detached: true, stdio: ["ignore", log, log], env: options.env ?? process.env });
  } finally {
    fs.closeSync(log);
  }
  let exit: string | undefined;
  child.once("error", (err) => (exit = err.message)); // e.g. EACCES; unhandled it would crash this process
  const reaped = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => ((exit = signal ? `signal ${signal}` : `code ${code}`), resolve())),
  );
  if (child.pid === undefined) throw options.startError(`could not run ${command}`);
  const pid = child.pid;
  child.unref();
  const stop = async () => {
    if (exit !== undefined) return signalGroup(pid, "SIGKILL");
    signalGroup(pid, "SIGTERM");
    if (await settlesWithin(reaped, STOP_GRACE_MS)) return;
    signalGroup(pid, "SIGKILL");
    await settlesWithin(reaped, STOP_GRACE_MS);
  };
  return { pid, exited: () => exit, stop };
}

/**
 * Polls `answers` until it is true; fails with the emulator's typed error, quoting its log, if it exits first or the
 * time runs out. Stops the emulator before failing, so a failed start leaves nothing running.
 */
export async function waitUntilAnswering(
  emulator: EmulatorProcess,
  what: { name: string; url: string; timeoutMs: number },
  answers: () => Promise<boolean>,
  options: SpawnEmulatorOptions,
): Promise<void> {
  const deadline = Date.now() + what.timeoutMs;
  let failure: string | undefined;
  while (!failure) {
    const exit = emulator.exited();
    if (exit) failure = `${what.name} exited (${exit}) before answering on ${what.url}`;
    else if (await answers()) return;
    else if (Date.now() >= deadline)
      failure = `${what.name} did not answer on ${what.url} within ${what.timeoutMs / 1000} s`;
    else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  await emulator.stop();
  throw options.startError(`${failure}; log ${options.logFile}:\n${logTail(options.logFile)}`);
}

/** Signals a whole process group; one that is already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/**
 * The grace timer is NOT unref'd: the child is, so while we wait for it to exit this timer is what keeps the event
 * loop alive (unref'd, a plain script awaiting `stop()` would end silently mid-wait). It is cleared once settled.
 */
export async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Binds port 0 on loopback to let the OS pick a free port, then releases it for the emulator. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on `host:port` now (a service started by us, waiting to listen). */
export function acceptsConnections(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
