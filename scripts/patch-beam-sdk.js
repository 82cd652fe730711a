#!/usr/bin/env node
/**
 * Patches the published apache-beam 2.49.0 (npm) where it builds the Docker environment for a portable runner such as
 * Dataflow, in dist/src/apache_beam/runners/portable_runner/runner.js (`PortableRunner.runPipelineWithProto`):
 *
 * 1. `pack-installed-sdk`: it stages the SDK for the workers with `npm pack apache-beam@2_49_rc`, a dist-tag that was
 *    never published, so every Dataflow submission fails there. Patched to pack the apache-beam folder that is
 *    installed (five levels above runner.js): exactly the pinned 2.49.0 of package-lock.json, no registry needed.
 * 2. `skip-npm-staging`: with ROX_SKIP_NPM_STAGING=1 it stages no npm package at all. Set it when `sdkContainerImage`
 *    is our worker image (docker/worker.Dockerfile), which has the project and its node_modules preinstalled: the
 *    worker's boot then runs no `npm install`, and the launcher needs neither npm pack nor a registry.
 *
 * Idempotent. Each patch checks the exact original text (once) or its own patched text; anything else means the SDK
 * changed, and the script fails loudly instead of guessing. Run by `postinstall`; `node scripts/patch-beam-sdk.js
 * <file>` patches another copy of runner.js (the tests use one).
 */
"use strict";
const fs = require("fs");
const path = require("path");

const SDK_VERSION = "2.49.0";
const RUNNER = path.join("dist", "src", "apache_beam", "runners", "portable_runner", "runner.js");
const MARK = "/* patched by rox-gcp scripts/patch-beam-sdk.js */";

const PATCHES = [
  {
    name: "pack-installed-sdk",
    original: 'childProcess.spawnSync("npm", ["pack", "apache-beam@2_49_rc", "--pack-destination", tmpDir], {',
    patched: `childProcess.spawnSync("npm", ["pack", path.resolve(__dirname, "..", "..", "..", "..", ".."), "--pack-destination", tmpDir], ${MARK} {`,
  },
  {
    name: "skip-npm-staging",
    original: "const deps = pipeline.components.environments[envId].dependencies;\n",
    patched:
      "const deps = pipeline.components.environments[envId].dependencies;\n" +
      `                    if (process.env.ROX_SKIP_NPM_STAGING === "1") continue; ${MARK}\n`,
  },
];

class SdkPatchError extends Error {
  constructor(message) {
    super(message);
    this.name = "SdkPatchError";
  }
}

function count(text, part) {
  return text.split(part).length - 1;
}

/** Returns the patched text and what happened to each patch ("applied" | "already"); throws SdkPatchError. */
function patchRunnerSource(text) {
  const report = {};
  let result = text;
  for (const patch of PATCHES) {
    if (count(result, patch.patched) === 1) {
      report[patch.name] = "already";
    } else if (count(result, patch.original) === 1) {
      result = result.replace(patch.original, () => patch.patched);
      report[patch.name] = "applied";
    } else {
      throw new SdkPatchError(
        `apache-beam runner.js: expected exactly one of the original or patched text for "${patch.name}" and found ` +
          `${count(result, patch.original)} / ${count(result, patch.patched)}: the SDK changed, review scripts/patch-beam-sdk.js`,
      );
    }
  }
  return { text: result, report };
}

/** Patches `file` in place (written only when something changed). */
function patchRunnerFile(file) {
  const before = fs.readFileSync(file, "utf8");
  const { text, report } = patchRunnerSource(before);
  if (text !== before) fs.writeFileSync(file, text);
  return report;
}

/** runner.js of the installed apache-beam, after checking that it is the version the patches were written for. */
function installedRunner(from) {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "node_modules", "apache-beam", "package.json");
    if (!fs.existsSync(pkg)) continue;
    const { version } = JSON.parse(fs.readFileSync(pkg, "utf8"));
    if (version !== SDK_VERSION) throw new SdkPatchError(`apache-beam ${version} is installed; these patches are for ${SDK_VERSION}`);
    return path.join(path.dirname(pkg), RUNNER);
  }
  throw new SdkPatchError(`no node_modules/apache-beam above ${from}`);
}

function main(argv) {
  const file = argv[0] ?? installedRunner(path.resolve(__dirname, ".."));
  const report = patchRunnerFile(file);
  console.log(`patch-beam-sdk: ${file}: ${Object.entries(report).map(([name, what]) => `${name} ${what}`).join(", ")}`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`patch-beam-sdk: ${err.message}`);
    process.exit(1);
  }
}

module.exports = { PATCHES, SdkPatchError, patchRunnerSource, patchRunnerFile };
