import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freeLoopbackPort } from "../pubsub/emulator";
import { logTail } from "../pubsub/emulator-state";
import { GcsEmulatorStartError, GcsEmulatorUnavailableError } from "./gcs-emulator-errors";

/** Where `scripts/setup-gcp-emulators.sh` installs the emulators, unless `ROX_EMULATORS_DIR` says otherwise. */
export const DEFAULT_EMULATORS_DIR = path.join(".rox", "emulators");

export interface StartGcsEmulatorOptions {
  /** The filesystem backend's root: object `gs://b/x` is the plain file `<dataDir>/b/x`. */
  dataDir: string;
  /**
   * `filesystem` (default) shares its files with bqemulator's `BQEMU_GCS_LOCAL_ROOT`, but cleans object names
   * (`a/../x` is stored as `x`); `memory` keeps names exactly as Cloud Storage does.
   */
  backend?: "filesystem" | "memory";
  /** Default: a free loopback port. */
  port?: number;
  /** How long to wait for the first answer (default 30 s; it usually takes a few hundredths of a second). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface GcsEmulatorHandle {
  pid: number;
  /** The client's `apiEndpoint`, e.g. `http://127.0.0.1:4443`. */
  endpoint: string;
  dataDir: string;
  logFile: string;
  /** Stops its process group (SIGTERM, then SIGKILL) and waits until the process is reaped. */
  stop(): Promise<void>;
}

const POLL_MS = 50;
const STOP_GRACE_MS = 5_000;

/** The installed fake-gcs-server binary, or an error naming what is missing and how to install it. */
export function findGcsEmulator(env: NodeJS.ProcessEnv = process.env): string {
  const binary = path.resolve(env.ROX_EMULATORS_DIR ?? DEFAULT_EMULATORS_DIR, "bin", "fake-gcs-server");
  try {
    fs.accessSync(binary, fs.constants.X_OK);
    return binary;
  } catch {
    throw new GcsEmulatorUnavailableError("fake-gcs-server", `fake-gcs-server is not installed (no executable ${binary}): run \`bash scripts/setup-gcp-emulators.sh\``);
  }
}

/** Starts fake-gcs-server on 127.0.0.1 (plain HTTP) in its own process group and waits until it answers. */
export async function startGcsEmulator(options: StartGcsEmulatorOptions): Promise<GcsEmulatorHandle> {
  const binary = findGcsEmulator(options.env);
  const port = options.port ?? (await freeLoopbackPort());
  const endpoint = `http://127.0.0.1:${port}`;
  const dataDir = path.resolve(options.dataDir);
  const logFile = `${dataDir}.log`;
  fs.mkdirSync(dataDir, { recursive: true });
  const args = ["-scheme", "http", "-host", "127.0.0.1", "-port", String(port), "-backend", options.backend ?? "filesystem"];
  args.push("-filesystem-root", dataDir, "-external-url", endpoint, "-log-level", "warn");
  const child = spawnDetached(binary, args, logFile);
  const handle = { pid: child.pid, endpoint, dataDir, logFile, stop: () => stopGroup(child) };
  try {
    await waitUntilAnswering(endpoint, child, options.timeoutMs ?? 30_000, logFile);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

/** The emulator answers `GET /storage/v1/b` with `{"kind":"storage#buckets"}` once it serves the JSON API. */
export async function isGcsEmulatorAnswering(endpoint: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/storage/v1/b`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return response.ok && body.includes("storage#buckets");
  } catch {
    return false;
  }
}

interface SpawnedProcess {
  pid: number;
  exit: () => string | undefined;
  reaped: Promise<void>;
}

/** `detached` gives it its own process group: stopping it signals that group and nothing else. */
function spawnDetached(binary: string, args: string[], logFile: string): SpawnedProcess {
  const log = fs.openSync(logFile, "w");
  const child = (() => {
    try {
      return spawn(binary, args, { detached: true, stdio: ["ignore", log, log] });
    } finally {
      fs.closeSync(log);
    }
  })();
  let exit: string | undefined;
  child.once("error", (err) => (exit = err.message)); // e.g. EACCES; unhandled it would crash the process
  const reaped = new Promise<void>((resolve) => child.once("exit", (code, signal) => resolve(void (exit = signal ? `signal ${signal}` : `code ${code}`))));
  if (child.pid === undefined) throw new GcsEmulatorStartError(`could not run ${binary}`);
  child.unref();
  return { pid: child.pid, exit: () => exit, reaped };
}

async function waitUntilAnswering(endpoint: string, child: SpawnedProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exit = child.exit();
    if (exit) throw new GcsEmulatorStartError(`fake-gcs-server exited (${exit}) before answering on ${endpoint}; log ${logFile}:\n${logTail(logFile)}`);
    if (await isGcsEmulatorAnswering(endpoint)) return;
    await sleep(POLL_MS);
  }
  throw new GcsEmulatorStartError(`fake-gcs-server did not answer on ${endpoint} within ${timeoutMs / 1000} s; log ${logFile}:\n${logTail(logFile)}`);
}

async function stopGroup(child: SpawnedProcess): Promise<void> {
  if (child.exit() !== undefined) return;
  signalGroup(child.pid, "SIGTERM");
  if (await settlesWithin(child.reaped, STOP_GRACE_MS)) return;
  signalGroup(child.pid, "SIGKILL");
  await settlesWithin(child.reaped, STOP_GRACE_MS);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err; // ESRCH: the group is already gone
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
