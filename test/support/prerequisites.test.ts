import { spawnSync } from "child_process";
import * as path from "path";
import { judgeNeeds, parseRequired, PREREQUISITES, PrerequisiteMissingError, type Prerequisite } from "./prerequisites";
import { tempDir } from "./temp";

const ROOT = path.resolve(__dirname, "..", "..");
const missing: Partial<Record<Prerequisite, string>> = {
  java: "java is not on PATH",
  "gcs-emulator": "fake-gcs-server is not installed",
};
const probe = (need: Prerequisite) => missing[need];

describe("judgeNeeds: skip with the reason, or fail when ROX_REQUIRE asks for what is missing", () => {
  test.each<[string, Prerequisite[], string | undefined, string | undefined]>([
    ["everything here", ["pubsub-emulator", "python-venv"], undefined, undefined],
    ["everything here, all required", ["pubsub-emulator"], "all", undefined],
    ["no needs", [], "all", undefined],
    [
      "one missing: skipped with the first missing one's reason",
      ["pubsub-emulator", "java", "gcs-emulator"],
      undefined,
      "java: java is not on PATH",
    ],
    ["missing, another one required", ["gcs-emulator"], "java", "gcs-emulator: fake-gcs-server is not installed"],
  ])("%s", (_, needs, required, reason) => {
    expect(judgeNeeds(needs, probe, required)).toBe(reason);
  });

  test.each([["java"], ["all"], ["pubsub-emulator, java"]])(
    "ROX_REQUIRE=%s turns the missing java into a failure",
    (required) => {
      expect(() => judgeNeeds(["java"], probe, required)).toThrow(PrerequisiteMissingError);
      expect(() => judgeNeeds(["java"], probe, required)).toThrow(
        `java is required (ROX_REQUIRE=${required}) but missing: java is not on PATH`,
      );
    },
  );

  test("a required prerequisite fails even when another missing one would skip the test first", () => {
    expect(() => judgeNeeds(["java", "gcs-emulator"], probe, "gcs-emulator")).toThrow(/^gcs-emulator is required/);
  });

  test("ROX_REQUIRE with an unknown name is an error, so a typo cannot require nothing", () => {
    expect(() => parseRequired("pubsub-emulatr")).toThrow(/unknown prerequisite pubsub-emulatr/);
    expect(parseRequired("all")).toEqual(new Set(PREREQUISITES));
    expect(parseRequired(undefined)).toEqual(new Set());
  });
});

describe("a real jest run of a test that needs a missing emulator", () => {
  const empty = tempDir("no-emulators");
  afterAll(() => empty.cleanup());

  /** Jest on test/fixtures/prerequisites with no emulators installed, and ROX_REQUIRE as given. */
  function runJest(required: string | undefined) {
    const env: NodeJS.ProcessEnv = { ...process.env, ROX_EMULATORS_DIR: empty.dir };
    delete env.ROX_REQUIRE;
    if (required !== undefined) env.ROX_REQUIRE = required;
    const args = [
      require.resolve("jest/bin/jest"),
      "--ci",
      "--roots",
      "<rootDir>/test/fixtures/prerequisites",
      "--testMatch",
      "**/*.check.ts",
    ];
    const run = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: "utf8", timeout: 120_000 });
    return { status: run.status, output: run.stdout + run.stderr };
  }

  test("without ROX_REQUIRE it is skipped, the reason printed, and the run passes", () => {
    const { status, output } = runJest(undefined);
    expect(output).toMatch(/skipped, missing gcs-emulator: fake-gcs-server is not installed/);
    expect(output).toMatch(/Tests: +1 skipped, 1 passed, 2 total/);
    expect(status).toBe(0);
  }, 120_000);

  test("with ROX_REQUIRE=gcs-emulator the skip is a failure that names it", () => {
    const { status, output } = runJest("gcs-emulator");
    expect(output).toMatch(
      /gcs-emulator is required \(ROX_REQUIRE=gcs-emulator\) but missing: fake-gcs-server is not installed/,
    );
    expect(output).toMatch(/Test Suites: +1 failed/);
    expect(status).toBe(1);
  }, 120_000);
});
