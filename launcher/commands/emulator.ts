import { optionalNumber, parseFlags } from "../args";
import { UsageError } from "../errors";
import type { EmulatorStatus } from "../../io/pubsub/emulator";

export const emulatorUsage = `rox emulator start|stop|status [--state-file <file>] [--port N]`;

const ACTIONS = ["start", "stop", "status"] as const;
type Action = (typeof ACTIONS)[number];

/** `rox emulator`: runs the Pub/Sub emulator of the Google Cloud CLI in the background, on 127.0.0.1. */
export async function emulatorCommand(argv: string[]): Promise<EmulatorStatus> {
  const { values, positionals } = parseFlags(
    argv,
    { "state-file": { type: "string" }, port: { type: "string" } },
    true,
  );
  const action = positionals[0] as Action;
  if (positionals.length !== 1 || !ACTIONS.includes(action)) throw new UsageError(`usage: ${emulatorUsage}`);
  const port = optionalNumber(values.port, "port") || undefined; // 0: a free port, as when none is given
  if (port !== undefined && action !== "start") throw new UsageError("--port applies to start only");
  const emulator = await import("../../io/pubsub/emulator");
  const stateFile = values["state-file"] ?? emulator.DEFAULT_STATE_FILE;
  if (action === "start") await startAndPrint(stateFile, port);
  if (action === "stop") printStopped(await emulator.stopEmulator(stateFile), stateFile);
  const status = await emulator.emulatorStatus(stateFile);
  if (action === "status") printStatus(status);
  return status;
}

/** Starting twice is not an error: the running emulator is reported, with the same line to export. */
async function startAndPrint(stateFile: string, port: number | undefined): Promise<void> {
  const { emulatorStatus, startEmulator } = await import("../../io/pubsub/emulator");
  const current = await emulatorStatus(stateFile);
  if (current.running && current.state) {
    console.log(`the Pub/Sub emulator is already running at ${current.state.host} (pid ${current.state.pid})`);
    console.log(`export PUBSUB_EMULATOR_HOST=${current.state.host}`);
    return;
  }
  const startedAt = Date.now();
  const handle = await startEmulator({ stateFile, port });
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(
    `the Pub/Sub emulator is running at ${handle.host} (pid ${handle.pid}, up in ${seconds} s, log ${handle.logFile})`,
  );
  console.log(
    "it keeps nothing between starts: topics and subscriptions are created again by rox publish and the stream job",
  );
  console.log(`export PUBSUB_EMULATOR_HOST=${handle.host}`);
}

function printStopped(result: { stopped: boolean; pid?: number }, stateFile: string): void {
  if (result.stopped) console.log(`stopped the Pub/Sub emulator (pid ${result.pid})`);
  else
    console.log(
      `no Pub/Sub emulator was running (state file ${stateFile}${result.pid ? `, stale pid ${result.pid} removed` : ""})`,
    );
}

function printStatus(status: EmulatorStatus): void {
  if (!status.running || !status.state) {
    console.log(`not running (state file ${status.stateFile})`);
    return;
  }
  const { host, pid, startedAt, logFile } = status.state;
  console.log(
    `running at ${host} (pid ${pid}, since ${startedAt}, log ${logFile}); answering: ${status.answering ? "yes" : "no"}`,
  );
}
