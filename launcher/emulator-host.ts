import { UsageError } from "./errors";

/** Where the local Pub/Sub emulator is: `--host`, else the one `rox emulator start` recorded, else `$PUBSUB_EMULATOR_HOST`. */
export async function resolveEmulatorHost(host: string | undefined, stateFile: string | undefined): Promise<string> {
  if (host) return checkHost(host, "--host");
  const { DEFAULT_STATE_FILE, isEmulatorProcess, readEmulatorState } = await import("../io/pubsub/emulator-state");
  const state = readEmulatorState(stateFile ?? DEFAULT_STATE_FILE);
  const recordedIn = stateFile ?? DEFAULT_STATE_FILE;
  if (state && isEmulatorProcess(state.pid)) return checkHost(state.host, `the host in ${recordedIn}`);
  const fromEnv = process.env.PUBSUB_EMULATOR_HOST;
  if (fromEnv) return checkHost(fromEnv, "PUBSUB_EMULATOR_HOST");
  throw new UsageError("no Pub/Sub emulator: run `rox emulator start`, or pass --host, or set PUBSUB_EMULATOR_HOST");
}

// A host name, an IPv4 address or a bracketed IPv6 address, then a port: it becomes the authority of every request URL.
const HOST_PORT = /^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

function checkHost(host: string, from: string): string {
  const match = HOST_PORT.exec(host);
  const port = match ? Number(match[3]) : 0;
  if (!match || port < 1 || port > 65_535) {
    throw new UsageError(`${from} must be host:port, e.g. 127.0.0.1:8085 (got ${JSON.stringify(host)})`);
  }
  return host;
}
