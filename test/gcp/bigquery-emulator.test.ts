import { findBigQueryEmulator, isHealthy } from "../../io/gcp/bigquery/bigquery-emulator";
import { BigQueryEmulatorUnavailableError } from "../../io/gcp/bigquery/bigquery-errors";
import { startTestBigQueryEmulator } from "../support/bigquery-emulator";
import { itNeeds } from "../support/prerequisites";
import { tempDir } from "../support/temp";

describe("bqemulator lifecycle", () => {
  it("names the missing launcher and the setup script when it is not installed", () => {
    const empty = tempDir("no-emulators");
    try {
      expect(() => findBigQueryEmulator({ ROX_EMULATORS_DIR: empty.dir })).toThrow(BigQueryEmulatorUnavailableError);
      expect(() => findBigQueryEmulator({ ROX_EMULATORS_DIR: empty.dir })).toThrow(
        /no executable .*bin\/bqemulator.*setup-gcp-emulators\.sh/,
      );
    } finally {
      empty.cleanup();
    }
  });

  itNeeds("bigquery-emulator")(
    "starts on loopback in its own process group, answers /healthz, and stops by its group",
    async () => {
      const emulator = (await startTestBigQueryEmulator())!;
      try {
        expect(emulator.apiEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(await isHealthy(emulator.apiEndpoint)).toBe(true);
        expect(() => process.kill(-emulator.pid, 0)).not.toThrow(); // the group exists: it is the emulator's own
      } finally {
        await emulator.stop();
      }
      expect(() => process.kill(-emulator.pid, 0)).toThrow(/ESRCH/);
      expect(await isHealthy(emulator.apiEndpoint)).toBe(false);
    },
    90_000,
  );
});
