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
 * 3. `pack-file-name`: it takes all of `npm pack`'s stdout as the tarball's name, but packing a project runs its
 *    `prepare` script, whose banner is printed there too (`ENOENT …/> rox-gcp@0.1.0 prepare…rox-gcp-0.1.0.tgz`).
 *    Patched to take the last line, where npm prints the file name.
 * 4. `user-metric-labels` (dist/src/apache_beam/worker/metrics.js): the SDK labels a user counter with an empty
 *    NAMESPACE and `TRANSFORM` instead of Beam's `PTRANSFORM`; Java runners (Flink's job server, Dataflow's Runner v2)
 *    drop such a counter, so a job's `records_read` never reached the runner's metrics. Patched to namespace "beam"
 *    and both labels; the DirectRunner reads only NAME and is unaffected.
 * 5. `control-channel-error` (dist/src/apache_beam/worker/worker.js): a LOOPBACK worker's control stream has no
 *    `error` listener. When a cancelled streaming job's job server goes away before it has stopped the worker,
 *    the stream fails with `14 UNAVAILABLE: Connection dropped`, an unhandled `error` event that ends this process
 *    (the CLI, or jest). Patched to log it and close the worker's data and state channels and its control client,
 *    as the stream's end does (left open, they kept a process alive after a stalled Flink stream was cancelled).
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
const METRICS = path.join("dist", "src", "apache_beam", "worker", "metrics.js");
const WORKER = path.join("dist", "src", "apache_beam", "worker", "worker.js");
const MARK = "/* patched by rox-gcp scripts/patch-beam-sdk.js */";

const PATCHES = [
  {
    name: "pack-installed-sdk",
    original: 'childProcess.spawnSync("npm", ["pack", "apache-beam@2_49_rc", "--pack-destination", tmpDir], {',
    patched: `childProcess.spawnSync("npm", ["pack", path.resolve(__dirname, "..", "..", "..", "..", ".."), "--pack-destination", tmpDir], ${MARK} {`,
  },
  {
    name: "pack-file-name",
    original: "\n                    const packFile = path.resolve(path.join(tmpDir, result.stdout.trim()));",
    patched: `\n                    const packFile = path.resolve(path.join(tmpDir, result.stdout.trim().split("\\n").pop())); ${MARK}`,
  },
  {
    name: "skip-npm-staging",
    original: "const deps = pipeline.components.environments[envId].dependencies;\n",
    patched:
      "const deps = pipeline.components.environments[envId].dependencies;\n" +
      `                    if (process.env.ROX_SKIP_NPM_STAGING === "1") continue; ${MARK}\n`,
  },
];

const METRICS_PATCHES = [
  {
    name: "user-metric-labels",
    original: '            info.labels["NAMESPACE"] = "";\n',
    patched: `            info.labels["NAMESPACE"] = "beam"; ${MARK}\n`,
  },
  {
    name: "user-metric-ptransform",
    original: '            info.labels["TRANSFORM"] = this.transformId;\n',
    patched:
      '            info.labels["TRANSFORM"] = this.transformId;\n' +
      `            info.labels["PTRANSFORM"] = this.transformId; ${MARK}\n`,
  },
];

const WORKER_PATCHES = [
  {
    name: "control-channel-error",
    original: '        this.controlChannel.on("data", this.handleRequest.bind(this));\n',
    patched:
      '        this.controlChannel.on("data", this.handleRequest.bind(this));\n' +
      '        this.controlChannel.on("error", (err) => { console.warn("Control channel error:", err.message); ' +
      "for (const c of [...this.dataChannels.values(), ...this.stateChannels.values()]) { try { c.close(); } " +
      "catch (e) { /* best effort, as on end */ } } this.controlClient.close(); }); " +
      `${MARK}\n`,
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
function patchRunnerSource(text, patches = PATCHES, file = "runner.js") {
  const report = {};
  let result = text;
  for (const patch of patches) {
    if (count(result, patch.patched) === 1) {
      report[patch.name] = "already";
    } else if (count(result, patch.original) === 1) {
      result = result.replace(patch.original, () => patch.patched);
      report[patch.name] = "applied";
    } else {
      throw new SdkPatchError(
        `apache-beam ${file}: expected exactly one of the original or patched text for "${patch.name}" and found ` +
          `${count(result, patch.original)} / ${count(result, patch.patched)}: the SDK changed, review scripts/patch-beam-sdk.js`,
      );
    }
  }
  return { text: result, report };
}

/** Patches `file` in place (written only when something changed). */
function patchRunnerFile(file, patches = PATCHES) {
  const before = fs.readFileSync(file, "utf8");
  const { text, report } = patchRunnerSource(before, patches, path.basename(file));
  if (text !== before) fs.writeFileSync(file, text);
  return report;
}

/** The installed apache-beam folder, after checking that it is the version the patches were written for. */
function installedSdk(from) {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "node_modules", "apache-beam", "package.json");
    if (!fs.existsSync(pkg)) continue;
    const { version } = JSON.parse(fs.readFileSync(pkg, "utf8"));
    if (version !== SDK_VERSION)
      throw new SdkPatchError(`apache-beam ${version} is installed; these patches are for ${SDK_VERSION}`);
    return path.dirname(pkg);
  }
  throw new SdkPatchError(`no node_modules/apache-beam above ${from}`);
}

function main(argv) {
  const say = (file, report) =>
    console.log(
      `patch-beam-sdk: ${file}: ${Object.entries(report)
        .map(([name, what]) => `${name} ${what}`)
        .join(", ")}`,
    );
  if (argv[0]) return say(argv[0], patchRunnerFile(argv[0]));
  const sdk = installedSdk(path.resolve(__dirname, ".."));
  say(path.join(sdk, RUNNER), patchRunnerFile(path.join(sdk, RUNNER)));
  say(path.join(sdk, METRICS), patchRunnerFile(path.join(sdk, METRICS), METRICS_PATCHES));
  say(path.join(sdk, WORKER), patchRunnerFile(path.join(sdk, WORKER), WORKER_PATCHES));
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`patch-beam-sdk: ${err.message}`);
    process.exit(1);
  }
}

module.exports = { PATCHES, METRICS_PATCHES, WORKER_PATCHES, SdkPatchError, patchRunnerSource, patchRunnerFile };
