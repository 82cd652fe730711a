import * as fs from "fs";
import * as path from "path";
import { findGcsEmulator, isGcsEmulatorAnswering, startGcsEmulator } from "../../io/gcp/gcs/gcs-emulator";
import { GcsEmulatorUnavailableError } from "../../io/gcp/gcs/gcs-emulator-errors";
import { tempDir } from "../support/temp";
import { itNeeds } from "../support/prerequisites";

const it_ = itNeeds("gcs-emulator");

describe("fake-gcs-server lifecycle", () => {
  test("a missing binary is a typed error that names it and how to install it", () => {
    const env = { ROX_EMULATORS_DIR: "/nonexistent/emulators" };
    expect(() => findGcsEmulator(env)).toThrow(GcsEmulatorUnavailableError);
    expect(() => findGcsEmulator(env)).toThrow(
      /\/nonexistent\/emulators\/bin\/fake-gcs-server.*setup-gcp-emulators\.sh/,
    );
  });

  it_("starts on loopback in its own process group, answers, and is gone after stop", async () => {
    const work = tempDir("gcs-lifecycle");
    try {
      const emulator = await startGcsEmulator({ dataDir: path.join(work.dir, "data") });
      expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await isGcsEmulatorAnswering(emulator.endpoint)).toBe(true);
      expect(processGroupOf(emulator.pid)).toBe(emulator.pid);
      await emulator.stop();
      expect(() => process.kill(emulator.pid, 0)).toThrow(/ESRCH/);
      expect(await isGcsEmulatorAnswering(emulator.endpoint)).toBe(false);
    } finally {
      work.cleanup();
    }
  });
});

/** The process group id, from /proc (field 5 of `stat`, after the command name in parentheses). */
function processGroupOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}
