import { UsageError } from "./errors";

/** Where the local Pub/Sub emulator is: `--host`, else the one `rox emulator start` recorded, else `$PUBSUB_EMULATOR_HOST`. */
export async function resolveEmulatorHost(host: string | undefined, stateFile: string | undefined): Promise<string> {
  if (host) return host;
  const { DEFAULT_STATE_FILE, isEmulatorProcess, readEmulatorState } = await import("../io/pubsub/emulator-state");
  const state = readEmulatorState(stateFile ?? DEFAULT_STATE_FILE);
  if (state && isEmulatorProcess(state.pid)) return state.host;
  const fromEnv = process.env.PUBSUB_EMULATOR_HOST;
  if (fromEnv) return fromEnv;
  throw new UsageError("no Pub/Sub emulator: run `rox emulator start`, or pass --host, or set PUBSUB_EMULATOR_HOST");
}
