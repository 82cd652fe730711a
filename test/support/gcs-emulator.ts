import { signalGroup } from "../../io/emulator-process";
import * as path from "path";
import { startGcsEmulator, type GcsEmulatorHandle, type StartGcsEmulatorOptions } from "../../io/gcp/gcs/gcs-emulator";
import { unmet } from "./prerequisites";
import { tempDir } from "./temp";

export interface TestGcsEmulator {
  endpoint: string;
  pid: number;
  /** Where the filesystem backend keeps objects (`<dataDir>/<bucket>/<name>`). */
  dataDir: string;
  /** Stops the emulator by its process group and removes its temp folder. */
  stop(): Promise<void>;
}

/** Whether fake-gcs-server is installed here: `!unmet("gcs-emulator")` (see ./prerequisites; prefer `itNeeds`). */
export function gcsEmulatorAvailable(): boolean {
  return unmet("gcs-emulator") === undefined;
}

/** A fresh fake-gcs-server for one test file, in a temp folder; undefined when it is not installed; rejects when it does not start. */
export async function startTestGcsEmulator(
  backend: StartGcsEmulatorOptions["backend"] = "filesystem",
): Promise<TestGcsEmulator | undefined> {
  if (!gcsEmulatorAvailable()) return undefined;
  const temp = tempDir("gcs");
  let handle: GcsEmulatorHandle;
  try {
    handle = await startGcsEmulator({ dataDir: path.join(temp.dir, "data"), backend });
  } catch (err) {
    temp.cleanup();
    throw err;
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
