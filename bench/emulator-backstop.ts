import { signalGroup } from "../io/emulator-process";

/**
 * For a benchmark script that started an emulator: if the run is cut short (Ctrl-C, a crash), kill exactly that
 * emulator's process group on the way out. Returns the function that removes the backstop once the emulator is stopped.
 */
export function killOnExit(emulator: { pid: number }): () => void {
  const kill = () => signalGroup(emulator.pid, "SIGKILL");
  const interrupted = () => process.exit(130); // runs the exit handler
  process.once("exit", kill);
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  return () => {
    process.removeListener("exit", kill);
    process.removeListener("SIGINT", interrupted);
    process.removeListener("SIGTERM", interrupted);
  };
}
