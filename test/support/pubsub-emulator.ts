import { signalGroup } from "../../io/emulator-process";
import * as path from "path";
import { startEmulator } from "../../io/pubsub/emulator";
import { unmet } from "./prerequisites";
import { tempDir } from "./temp";

export interface TestEmulator {
  host: string;
  pid: number;
  stateFile: string;
  /** Stops the emulator by its PID (its process group) and removes its temp folder. */
  stop(): Promise<void>;
}

/** Whether this machine can run the emulator: `!unmet("pubsub-emulator")` (see ./prerequisites; prefer `itNeeds`). */
export function pubsubEmulatorAvailable(): boolean {
  return unmet("pubsub-emulator") === undefined;
}

/**
 * A fresh emulator for one test file; undefined (the reason printed) when it is not installed; rejects when it does not start. Its state file (and the
 * log next to it) go to `stateFile` when given, else to a temp folder removed by `stop`.
 */
export async function startTestEmulator(stateFile?: string): Promise<TestEmulator | undefined> {
  if (!pubsubEmulatorAvailable()) return undefined;
  const temp = stateFile ? undefined : tempDir("pubsub");
  const handle = await startEmulator({ stateFile: stateFile ?? path.join(temp!.dir, "pubsub-emulator.json") });
  // A backstop for runs cut short (a crash, --bail): the exit handler kills only this emulator's process group.
  const killOnExit = () => signalGroup(handle.pid, "SIGKILL");
  process.once("exit", killOnExit);
  return {
    host: handle.host,
    pid: handle.pid,
    stateFile: handle.stateFile,
    stop: async () => {
      process.removeListener("exit", killOnExit);
      await handle.stop();
      temp?.cleanup();
    },
  };
}

/**
 * For a test file that needs an emulator and a temp folder: starts both before its tests and stops both after. Read
 * `emulator` inside a test that `itNeeds("pubsub-emulator")`; it is undefined only when the emulator is not installed.
 */
export function useEmulatorWorkspace(prefix: string): {
  readonly emulator: TestEmulator | undefined;
  readonly dir: string;
} {
  let emulator: TestEmulator | undefined;
  let work: { dir: string; cleanup: () => void } | undefined;
  beforeAll(async () => {
    work = tempDir(prefix);
    emulator = await startTestEmulator(path.join(work.dir, "emulator.json"));
  });
  afterAll(async () => {
    await emulator?.stop();
    work?.cleanup();
  });
  return {
    get emulator() {
      return emulator;
    },
    get dir() {
      if (!work) throw new Error("the workspace exists only inside tests");
      return work.dir;
    },
  };
}
