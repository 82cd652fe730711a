/**
 * What a test needs from this machine beyond node_modules — an emulator, Java, Python, a tool — probed once per test
 * file, synchronously, while jest collects its tests: a test that cannot run here is `it.skip` with the reason
 * printed, never a body that returns early and counts as passed.
 *
 *   const it_ = itNeeds("pubsub-emulator");                    // `it`, or `it.skip` with the reason printed
 *   describeNeeds("java", "beam-jar")("the graphs", () => …);  // a whole block
 *   beforeAll(async () => { if (unmet("java")) return; … });   // a hook: the reason, or undefined when all are here
 *
 * ROX_REQUIRE (names, comma-separated, or `all`) turns a missing prerequisite into a failure: the test file fails to
 * load, naming it and why. `.ci/run` sets ROX_REQUIRE=all: CI installs (or its machine has) every one of them.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { findBigQueryEmulator } from "../../io/gcp/bigquery/bigquery-emulator";
import { findGcsEmulator } from "../../io/gcp/gcs/gcs-emulator";
import { findEmulator } from "../../io/pubsub/emulator-install";
import { beamServicePaths } from "../../pipelines/beam-services";
import { flinkJobServerLib } from "../../pipelines/flink/job-server";
import { mlPythonPath } from "../../launcher/models/python";
import * as path from "path";

/** Each prerequisite's probe: undefined when it is here, else why not (and how to get it). */
const PROBES = {
  "pubsub-emulator": () => thrownMessage(() => findEmulator()),
  "bigquery-emulator": () => thrownMessage(() => findBigQueryEmulator()),
  "gcs-emulator": () => thrownMessage(() => findGcsEmulator()),
  java: () => missingTool("java", ["-version"]),
  "beam-jar": () => {
    const jar = beamServicePaths().gcpExpansionJar;
    return fs.existsSync(jar) ? undefined : `${jar} is missing: run \`bash scripts/setup-beam.sh jars\``;
  },
  "python-venv": () =>
    missingTool("python3", ["-c", "import venv"]) ? "python3 with the venv module is not on PATH" : undefined,
  "beam-python": () => {
    const python = beamServicePaths().python;
    return fs.existsSync(python)
      ? undefined
      : `Beam's Python venv is missing (${python}): run \`bash scripts/setup-beam.sh python\``;
  },
  "flink-job-server": () => {
    const lib = flinkJobServerLib();
    const installed = fs.existsSync(path.join(lib, ".installed"));
    return installed
      ? undefined
      : `Beam's Flink job server is missing (${lib}): run \`bash scripts/setup-beam.sh flink\``;
  },
  "ml-python": () => {
    const python = mlPythonPath();
    return fs.existsSync(python)
      ? undefined
      : `the models' Python environment is missing (${python}): run scripts/setup-ml.sh`;
  },
  "tls-tools": () => missingTool("openssl", ["version"]) ?? missingTool("keytool", ["-help"]),
  "port-443": () => privilegedPortsClosed(),
} satisfies Record<string, () => string | undefined>;

export type Prerequisite = keyof typeof PROBES;
export const PREREQUISITES = Object.keys(PROBES) as Prerequisite[];

/** A prerequisite ROX_REQUIRE asks for is missing. */
export class PrerequisiteMissingError extends Error {
  constructor(need: Prerequisite, reason: string, required: string | undefined) {
    super(`${need} is required (ROX_REQUIRE=${required}) but missing: ${reason}`);
    this.name = "PrerequisiteMissingError";
  }
}

export type Probe = (need: Prerequisite) => string | undefined;

/**
 * Why the first of `needs` that is missing cannot be used, or undefined when all are here. Throws
 * PrerequisiteMissingError when `required` (ROX_REQUIRE's value) names any missing one. Pure: the probe is passed in.
 */
export function judgeNeeds(
  needs: readonly Prerequisite[],
  probe: Probe,
  required: string | undefined,
): string | undefined {
  const requiredSet = parseRequired(required);
  const missing = needs.flatMap((need) => {
    const reason = probe(need);
    return reason === undefined ? [] : [{ need, reason }];
  });
  const failure = missing.find(({ need }) => requiredSet.has(need));
  if (failure) throw new PrerequisiteMissingError(failure.need, failure.reason, required);
  return missing.length > 0 ? `${missing[0].need}: ${missing[0].reason}` : undefined;
}

/** ROX_REQUIRE's names; an unknown one is an error, so a typo cannot silently require nothing. */
export function parseRequired(value: string | undefined): Set<Prerequisite> {
  const names = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.includes("all")) return new Set(PREREQUISITES);
  const unknown = names.filter((name) => !(PREREQUISITES as string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(
      `ROX_REQUIRE: unknown prerequisite ${unknown.join(", ")} (known: all, ${PREREQUISITES.join(", ")})`,
    );
  return new Set(names as Prerequisite[]);
}

const probed = new Map<Prerequisite, string | undefined>();
const printed = new Set<string>();

/** Each probe runs once per test file (jest gives every file its own module registry). */
function cachedProbe(need: Prerequisite): string | undefined {
  if (!probed.has(need)) probed.set(need, PROBES[need]());
  return probed.get(need);
}

/** Why a test needing `needs` cannot run here (printed once per file), or undefined; throws when ROX_REQUIRE says so. */
export function unmet(...needs: Prerequisite[]): string | undefined {
  const reason = judgeNeeds(needs, cachedProbe, process.env.ROX_REQUIRE);
  if (reason !== undefined && !printed.has(reason)) {
    printed.add(reason);
    console.warn(`skipped, missing ${reason} (ROX_REQUIRE=all makes this a failure)`);
  }
  return reason;
}

/** `it` when every prerequisite is here, else `it.skip` (the reason printed); fails the file when ROX_REQUIRE says so. */
export function itNeeds(...needs: Prerequisite[]): jest.It {
  return unmet(...needs) === undefined ? it : it.skip;
}

/** `describe` when every prerequisite is here, else `describe.skip` (the reason printed); see `itNeeds`. */
export function describeNeeds(...needs: Prerequisite[]): jest.Describe {
  return unmet(...needs) === undefined ? describe : describe.skip;
}

function thrownMessage(find: () => unknown): string | undefined {
  try {
    find();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function missingTool(tool: string, args: string[]): string | undefined {
  try {
    execFileSync(tool, args, { stdio: "ignore" });
    return undefined;
  } catch {
    return `${tool} is not on PATH`;
  }
}

/** Port 443 can be bound by root, or by anyone where the kernel lets unprivileged users bind low ports. */
function privilegedPortsClosed(): string | undefined {
  if (process.getuid?.() === 0) return undefined;
  const file = "/proc/sys/net/ipv4/ip_unprivileged_port_start";
  const start = fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : 1024;
  return start <= 443 ? undefined : `binding 127.0.0.1:443 needs root (or ${file} ≤ 443)`;
}
