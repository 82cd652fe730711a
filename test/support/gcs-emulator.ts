import { signalGroup } from "../../io/emulator-process";
import * as path from "path";
import { findGcsEmulator, startGcsEmulator, type GcsEmulatorHandle, type StartGcsEmulatorOptions } from "../../io/gcp/gcs-emulator";
import { GcsEmulatorUnavailableError } from "../../io/gcp/gcs-emulator-errors";
import { tempDir } from "./temp";

export interface TestGcsEmulator {
  endpoint: string;
  pid: number;
  /** Where the filesystem backend keeps objects (`<dataDir>/<bucket>/<name>`). */
  dataDir: string;
  /** Stops the emulator by its process group and removes its temp folder. */
  stop(): Promise<void>;
}

/** Whether fake-gcs-server is installed here; when it is not, prints why (a test is skipped with a reason, never silently). */
export function gcsEmulatorAvailable(): boolean {
  availability ??= checkAvailability();
  return availability;
}

let availability: boolean | undefined;

function checkAvailability(): boolean {
  try {
    findGcsEmulator();
    return true;
  } catch (err) {
    if (!(err instanceof GcsEmulatorUnavailableError)) throw err;
    console.warn(`Cloud Storage emulator tests skipped: ${err.message}`);
    return false;
  }
}

/** A fresh fake-gcs-server for one test file, in a temp folder; undefined (the reason printed) when it cannot start. */
export async function startTestGcsEmulator(backend: StartGcsEmulatorOptions["backend"] = "filesystem"): Promise<TestGcsEmulator | undefined> {
  if (!gcsEmulatorAvailable()) return undefined;
  const temp = tempDir("gcs");
  let handle: GcsEmulatorHandle;
  try {
    handle = await startGcsEmulator({ dataDir: path.join(temp.dir, "data"), backend });
  } catch (err) {
    temp.cleanup();
    console.warn(`Cloud Storage emulator tests skipped: ${(err as Error).message}`);
    return undefined;
  }
  // A backstop for runs cut short (a crash, --bail): kills only this emulator's process group.
  const killOnExit = () => signalGroup(handle.pid, "SIGKILL");
  process.once("exit", killOnExit);
  return {
    endpoint: handle.endpoint,
    pid: handle.pid,
    dataDir: handle.dataDir,
    stop: async () => {
      process.removeListener("exit", killOnExit);
      await handle.stop();
      temp.cleanup();
    },
  };
}
