import * as fs from "fs";
import * as path from "path";
import { emulatorStatus, findEmulator, isAnswering, startEmulator, stopEmulator } from "../../io/pubsub/emulator";
import { isEmulatorProcess, writeEmulatorState } from "../../io/pubsub/emulator-state";
import { EmulatorStartError, EmulatorUnavailableError } from "../../io/pubsub/errors";
import { startTestEmulator, type TestEmulator } from "../support/pubsub-emulator";
import { tempDir } from "../support/temp";
import { itNeeds } from "../support/prerequisites";

/** A fake Google Cloud CLI layout: `<root>/bin/gcloud`, optionally the emulator launcher, optionally a java. */
function fakeSdk(dir: string, parts: { launcher?: boolean; java?: boolean }): NodeJS.ProcessEnv {
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o755 });
  };
  write(path.join(dir, "sdk/bin/gcloud"), "#!/bin/sh\nexit 1\n");
  fs.mkdirSync(path.join(dir, "sdk/platform"), { recursive: true });
  if (parts.launcher) write(path.join(dir, "sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator"), "#!/bin/sh\n");
  if (parts.java) write(path.join(dir, "jdk/bin/java"), "#!/bin/sh\n");
  return { PATH: path.join(dir, "sdk/bin"), JAVA_HOME: parts.java ? path.join(dir, "jdk") : undefined };
}

describe("finding the emulator", () => {
  const temp = tempDir("find-emulator");
  afterAll(() => temp.cleanup());

  test.each([
    ["gcloud", () => ({ PATH: path.join(temp.dir, "nowhere") }), /gcloud is not on PATH/],
    ["pubsub-emulator", () => fakeSdk(path.join(temp.dir, "a"), {}), /gcloud components install pubsub-emulator/],
    ["java", () => fakeSdk(path.join(temp.dir, "b"), { launcher: true }), /java is not installed/],
  ])("names what is missing: %s", (missing, env, message) => {
    const attempt = () => findEmulator(env());
    expect(attempt).toThrow(EmulatorUnavailableError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (err) {
      expect((err as EmulatorUnavailableError).missing).toBe(missing);
    }
  });

  test("a complete layout is found", () => {
    const env = fakeSdk(path.join(temp.dir, "c"), { launcher: true, java: true });
    expect(findEmulator(env).launcher).toBe(
      path.join(temp.dir, "c/sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator"),
    );
  });

  test("a stale state file (dead PID) is reported as not running and removed by stop", async () => {
    const stateFile = path.join(temp.dir, "stale.json");
    writeEmulatorState(stateFile, {
      pid: 2 ** 22 + 1,
      host: "127.0.0.1:1",
      startedAt: new Date().toISOString(),
      logFile: "x.log",
    });
    expect((await emulatorStatus(stateFile)).running).toBe(false);
    expect((await stopEmulator(stateFile)).stopped).toBe(false);
    expect(fs.existsSync(stateFile)).toBe(false);
  });
});

describe("a start that fails", () => {
  const temp = tempDir("failed-start");
  afterAll(() => temp.cleanup());

  /** A stand-in launcher: its path names the emulator, so the stop's command-line check accepts it. */
  function fakeLauncher(name: string, script: string) {
    const launcher = path.join(temp.dir, `${name}-pubsub-emulator`);
    fs.writeFileSync(launcher, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return { launcher, sdkRoot: temp.dir, java: "java" };
  }

  test("an emulator that exits at once: the error quotes its log, nothing is left", async () => {
    const stateFile = path.join(temp.dir, "exits.json");
    const start = startEmulator({
      stateFile,
      install: fakeLauncher("exits", "echo 'address already in use' >&2; exit 3"),
    });
    await expect(start).rejects.toThrow(/exited \(code 3\)[\s\S]*address already in use/);
    expect(fs.existsSync(stateFile)).toBe(false);
  });

  test("an emulator that never answers: a timeout, and its process group is stopped", async () => {
    const stateFile = path.join(temp.dir, "silent.json");
    const start = startEmulator({
      stateFile,
      timeoutMs: 1_000,
      install: fakeLauncher("silent", "echo listening nowhere; sleep 30"),
    });
    await expect(start).rejects.toThrow(EmulatorStartError);
    await expect(start).rejects.toThrow(/did not answer[\s\S]*listening nowhere/);
    expect(fs.existsSync(stateFile)).toBe(false);
  });
});

describe("emulator lifecycle", () => {
  const it_ = itNeeds("pubsub-emulator");
  let emulator: TestEmulator | undefined;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  }, 60_000);
  afterAll(async () => emulator?.stop());

  it_("starts on loopback, records itself, answers, and refuses a second start on the same state file", async () => {
    const { host, pid, stateFile } = emulator!;
    expect(host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(JSON.parse(fs.readFileSync(stateFile, "utf8"))).toMatchObject({ pid, host });
    expect(await emulatorStatus(stateFile)).toMatchObject({ running: true, answering: true });
    await expect(startEmulator({ stateFile })).rejects.toThrow(EmulatorStartError);
  });

  it_(
    "stops by PID from the state file, as another process would (rox emulator stop); the PID is then gone",
    async () => {
      const { host, pid, stateFile } = emulator!;
      expect(await stopEmulator(stateFile)).toEqual({ stopped: true, pid });
      expect(isEmulatorProcess(pid)).toBe(false); // exited (perhaps not yet reaped by this process, its parent)
      expect(fs.existsSync(stateFile)).toBe(false);
      expect(await isAnswering(host, 500)).toBe(false);
      expect(await emulatorStatus(stateFile)).toMatchObject({ running: false, answering: false });
      await emulator!.stop(); // the starter's handle also waits for the reaping
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
    },
  );
});
