import * as fs from "fs";
import * as path from "path";
import { freeLoopbackPort, spawnEmulator, waitUntilAnswering } from "../../emulator-process";
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

/** The installed fake-gcs-server binary, or an error naming what is missing and how to install it. */
export function findGcsEmulator(env: NodeJS.ProcessEnv = process.env): string {
  const binary = path.resolve(env.ROX_EMULATORS_DIR ?? DEFAULT_EMULATORS_DIR, "bin", "fake-gcs-server");
  try {
    fs.accessSync(binary, fs.constants.X_OK);
    return binary;
  } catch {
    throw new GcsEmulatorUnavailableError(
      "fake-gcs-server",
      `fake-gcs-server is not installed (no executable ${binary}): run \`bash scripts/setup-gcp-emulators.sh\``,
    );
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
  const args = [
    "-scheme",
    "http",
    "-host",
    "127.0.0.1",
    "-port",
    String(port),
    "-backend",
    options.backend ?? "filesystem",
  ];
  args.push("-filesystem-root", dataDir, "-external-url", endpoint, "-log-level", "warn");
  const spawnOptions = { logFile, startError: (message: string) => new GcsEmulatorStartError(message) };
  const child = spawnEmulator(binary, args, spawnOptions);
  const what = { name: "fake-gcs-server", url: endpoint, timeoutMs: options.timeoutMs ?? 30_000 };
  await waitUntilAnswering(child, what, () => isGcsEmulatorAnswering(endpoint), spawnOptions);
  return { pid: child.pid, endpoint, dataDir, logFile, stop: child.stop };
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
