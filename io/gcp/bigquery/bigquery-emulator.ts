import * as fs from "fs";
import * as path from "path";
import { freeLoopbackPort, spawnEmulator, waitUntilAnswering } from "../../emulator-process";
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
    throw new BigQueryEmulatorUnavailableError(
      "bqemulator",
      `the BigQuery emulator is not installed (no executable ${launcher}): ${hint}`,
    );
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

/** Starts bqemulator (in-memory) on free loopback ports in its own process group and waits until it is healthy. */
export async function startBigQueryEmulator(options: StartBigQueryEmulatorOptions): Promise<BigQueryEmulatorHandle> {
  const launcher = options.launcher ?? findBigQueryEmulator();
  const projectId = options.projectId ?? "rox-test";
  const [rest, grpc] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const uploads = path.join(options.workDir, "uploads");
  fs.mkdirSync(uploads, { recursive: true });
  const logFile = path.join(options.workDir, "bqemulator.log");
  const args = [
    "start",
    "--rest-host",
    "127.0.0.1",
    "--rest-port",
    String(rest),
    "--grpc-host",
    "127.0.0.1",
    "--grpc-port",
    String(grpc),
  ];
  args.push("--project", projectId, "--log-format", "json", "--log-level", "warning");
  const env = {
    ...process.env,
    BQEMU_UPLOAD_STAGING_DIR: uploads,
    ...(options.gcsRoot ? { BQEMU_GCS_LOCAL_ROOT: options.gcsRoot } : {}),
  };
  const spawnOptions = { env, logFile, startError: (message: string) => new BigQueryEmulatorStartError(message) };
  const child = spawnEmulator(launcher, args, spawnOptions);
  const apiEndpoint = `http://127.0.0.1:${rest}`;
  await waitUntilAnswering(
    child,
    { name: "bqemulator", url: `${apiEndpoint}/healthz`, timeoutMs: options.timeoutMs ?? 60_000 },
    () => isHealthy(apiEndpoint),
    spawnOptions,
  );
  return { pid: child.pid, projectId, apiEndpoint, grpcHost: `127.0.0.1:${grpc}`, logFile, stop: child.stop };
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
