import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../support/temp";

// The patch is tested on a copy of the SDK's runner.js: a test never edits node_modules.
const { PATCHES, patchRunnerSource } = require("../../scripts/patch-beam-sdk.js") as {
  PATCHES: { name: string; original: string; patched: string }[];
  patchRunnerSource: (text: string) => { text: string; report: Record<string, string> };
};

const ROOT = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "scripts", "patch-beam-sdk.js");
const INSTALLED = path.join(
  ROOT,
  "node_modules",
  "apache-beam",
  "dist",
  "src",
  "apache_beam",
  "runners",
  "portable_runner",
  "runner.js",
);

/** The published text: the installed file, with our patches undone if postinstall already applied them. */
function publishedRunner(): string {
  return PATCHES.reduce((text, p) => text.split(p.patched).join(p.original), fs.readFileSync(INSTALLED, "utf8"));
}

function runScript(file: string) {
  return spawnSync(process.execPath, [SCRIPT, file], { encoding: "utf8" });
}

describe("scripts/patch-beam-sdk.js", () => {
  const work = tempDir("sdk-patch");
  const copy = path.join(work.dir, "runner.js");
  afterAll(() => work.cleanup());
  beforeEach(() => fs.writeFileSync(copy, publishedRunner()));

  test("the published 2.49.0 runner packs the unresolvable apache-beam@2_49_rc tag", () => {
    expect(publishedRunner()).toContain('"npm", ["pack", "apache-beam@2_49_rc", "--pack-destination", tmpDir]');
  });

  test("patches a copy: packs the installed SDK folder, and skips npm staging on request", () => {
    const run = runScript(copy);
    expect([run.status, run.stdout.trim()]).toStrictEqual([
      0,
      `patch-beam-sdk: ${copy}: pack-installed-sdk applied, pack-file-name applied, skip-npm-staging applied`,
    ]);
    const text = fs.readFileSync(copy, "utf8");
    expect(text).not.toContain("apache-beam@2_49_rc");
    expect(text).toContain(
      '"npm", ["pack", path.resolve(__dirname, "..", "..", "..", "..", ".."), "--pack-destination", tmpDir]',
    );
    expect(text).toContain('if (process.env.ROX_SKIP_NPM_STAGING === "1") continue;');
    expect(() => new Function(text)).not.toThrow();
  });

  test("is idempotent: a second run changes nothing", () => {
    runScript(copy);
    const once = fs.readFileSync(copy, "utf8");
    const again = runScript(copy);
    expect([again.status, again.stdout.trim()]).toStrictEqual([
      0,
      `patch-beam-sdk: ${copy}: pack-installed-sdk already, pack-file-name already, skip-npm-staging already`,
    ]);
    expect(fs.readFileSync(copy, "utf8")).toBe(once);
  });

  test("five folders above runner.js is the apache-beam package it packs", () => {
    const packed = path.resolve(path.dirname(INSTALLED), "..", "..", "..", "..", "..");
    expect(JSON.parse(fs.readFileSync(path.join(packed, "package.json"), "utf8"))).toMatchObject({
      name: "apache-beam",
      version: "2.49.0",
    });
  });

  test("fails loudly, changing nothing, when the SDK's text is not the expected one", () => {
    const changed = publishedRunner().replace("apache-beam@2_49_rc", "apache-beam@2.50.0");
    fs.writeFileSync(copy, changed);
    const run = runScript(copy);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'expected exactly one of the original or patched text for "pack-installed-sdk" and found 0 / 0: the SDK changed',
    );
    expect(fs.readFileSync(copy, "utf8")).toBe(changed);
  });

  test("refuses a text where the anchor appears twice", () => {
    const twice = publishedRunner() + `\n// ${PATCHES[2].original}`;
    expect(() => patchRunnerSource(twice)).toThrow('"skip-npm-staging" and found 2 / 0');
  });
});
