import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freeLoopbackPort } from "../pubsub/emulator";
import { logTail } from "../pubsub/emulator-state";
import { BigQueryEmulatorStartError, BigQueryEmulatorUnavailableError } from "./bigquery-errors";

/** Where `scripts/setup-gcp-emulators.sh` installs the emulators: `.rox/emulators` of the working folder, or `ROX_EMULATORS_DIR`. */
export function emulatorsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.ROX_EMULATORS_DIR ?? path.join(".rox", "emulators"));
}

/** The bqemulator launcher, or an error naming the missing file and the script that installs it. */
export function findBigQueryEmulator(env: NodeJS.ProcessEnv = process.env): string {
  const launcher = path.join(emulatorsDir(env), "bin", "bqemulator");
  try {
    fs.accessSync(launcher, fs.constants.X_OK);
    return launcher;
  } catch {
    const hint = "run `bash scripts/setup-gcp-emulators.sh` (installs bqemulator 1.4.0 from PyPI; needs Python 3.11+)";
    throw new BigQueryEmulatorUnavailableError("bqemulator", `the BigQuery emulator is not installed (no executable ${launcher}): ${hint}`);
  }
}

export interface StartBigQueryEmulatorOptions {
  projectId?: string;
  /** Folder for its log and uploaded load-job files (created; the caller removes it). */
  workDir: string;
  /** Where `gs://bucket/path` load URIs are read from (`<dir>/bucket/path`): the GCS emulator's filesystem root. */
  gcsRoot?: string;
  /** How long to wait for `/healthz` (default 60 s; it usually takes about 2 s). */
  timeoutMs?: number;
  launcher?: string;
}

export interface BigQueryEmulatorHandle {
  pid: number;
  projectId: string;
  /** REST base URL with protocol, as the client's `apiEndpoint` wants it. */
  apiEndpoint: string;
  grpcHost: string;
  logFile: string;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;

/** Starts bqemulator (in-memory) on free loopback ports in its own process group and waits until it is healthy. */
export async function startBigQueryEmulator(options: StartBigQueryEmulatorOptions): Promise<BigQueryEmulatorHandle> {
  const launcher = options.launcher ?? findBigQueryEmulator();
  const projectId = options.projectId ?? "rox-test";
  const [rest, grpc] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const uploads = path.join(options.workDir, "uploads");
  fs.mkdirSync(uploads, { recursive: true });
  const logFile = path.join(options.workDir, "bqemulator.log");
  const args = ["start", "--rest-host", "127.0.0.1", "--rest-port", String(rest), "--grpc-host", "127.0.0.1", "--grpc-port", String(grpc)];
  args.push("--project", projectId, "--log-format", "json", "--log-level", "warning");
  const env = { ...process.env, BQEMU_UPLOAD_STAGING_DIR: uploads, ...(options.gcsRoot ? { BQEMU_GCS_LOCAL_ROOT: options.gcsRoot } : {}) };
  const child = spawnDetached(launcher, args, env, logFile);
  const apiEndpoint = `http://127.0.0.1:${rest}`;
  try {
    await waitUntilHealthy(apiEndpoint, child, options.timeoutMs ?? 60_000, logFile);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { pid: child.pid, projectId, apiEndpoint, grpcHost: `127.0.0.1:${grpc}`, logFile, stop: child.stop };
}

interface Spawned {
  pid: number;
  exited: () => string | undefined;
  stop: () => Promise<void>;
}

/** `detached`: its own process group, so stopping it stops the emulator's Python and nothing else. */
function spawnDetached(launcher: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Spawned {
  const log = fs.openSync(logFile, "w");
  const child = (() => {
    try {
      return spawn(launcher, args, { detached: true, stdio: ["ignore", log, log], env });
    } finally {
      fs.closeSync(log);
    }
  })();
  let exit: string | undefined;
  child.once("error", (err) => (exit = err.message));
  const reaped = new Promise<void>((resolve) => child.once("exit", (code, signal) => ((exit = signal ? `signal ${signal}` : `code ${code}`), resolve())));
  if (child.pid === undefined) throw new BigQueryEmulatorStartError(`could not run ${launcher}`);
  const pid = child.pid;
  child.unref(); // the handle's owner decides when it stops; a forgotten handle must not keep Node alive
  const stop = async () => {
    if (exit !== undefined) return signalGroup(pid, "SIGKILL"); // the leader is gone: take any stragglers of its group
    signalGroup(pid, "SIGTERM");
    if (await settles(reaped, STOP_GRACE_MS)) return;
    signalGroup(pid, "SIGKILL");
    await settles(reaped, STOP_GRACE_MS);
  };
  return { pid, exited: () => exit, stop };
}

async function waitUntilHealthy(apiEndpoint: string, child: Spawned, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exit = child.exited();
    if (exit) throw new BigQueryEmulatorStartError(`bqemulator exited (${exit}) before answering on ${apiEndpoint}; log ${logFile}:\n${logTail(logFile)}`);
    if (await isHealthy(apiEndpoint)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new BigQueryEmulatorStartError(`bqemulator did not answer ${apiEndpoint}/healthz within ${timeoutMs / 1000} s; log ${logFile}:\n${logTail(logFile)}`);
}

/** `/healthz` answers `{"status":"ok"}` once the REST server is up. */
export async function isHealthy(apiEndpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${apiEndpoint}/healthz`, { signal: AbortSignal.timeout(1_000) });
    const body = (await response.json()) as { status?: string };
    return response.ok && body.status === "ok";
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

function settles(promise: Promise<void>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
}
