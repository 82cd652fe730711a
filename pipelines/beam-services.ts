import * as fs from "fs";
import * as path from "path";
import { RoxError } from "../errors/rox-error";

/** The SDK's version: the JAR and the Python venv must match it. */
export const BEAM_VERSION = "2.49.0";

/** The Gradle target the SDK names the GCP IO expansion service by (`io/pubsub`, `io/schemaio`, `utils/service`). */
export const GCP_EXPANSION_SERVICE_TARGET = "sdks:java:io:google-cloud-platform:expansion-service:shadowJar";

/** Where `scripts/setup-beam.sh` installs the SDK's helpers. */
export interface BeamServicePaths {
  gcpExpansionJar: string;
  python: string;
}

export class BeamServicesMissingError extends RoxError {
  readonly kind = "missing-tool";
  constructor(readonly missing: string[]) {
    super(`Beam SDK helpers are missing (${missing.join(", ")}): run scripts/setup-beam.sh`);
    this.name = "BeamServicesMissingError";
  }
}

export function beamServicePaths(from: string = __dirname, env = process.env): BeamServicePaths {
  const dir = env.ROX_BEAM_DIR ?? path.join(projectRoot(from), ".rox", "beam");
  return {
    gcpExpansionJar: path.join(
      dir,
      "jars",
      `beam-sdks-java-io-google-cloud-platform-expansion-service-${BEAM_VERSION}.jar`,
    ),
    python: path.join(dir, "python-venv", "bin", "python"),
  };
}

/**
 * The `BEAM_SERVICE_OVERRIDES` value for the local helpers, keyed exactly as the SDK looks them up: the Gradle target
 * for Java expansion services, `python:*` for every Python service (the Dataflow runner's job service among them).
 */
export function beamServiceOverrides(paths: BeamServicePaths): Record<string, string> {
  return { [GCP_EXPANSION_SERVICE_TARGET]: paths.gcpExpansionJar, "python:*": paths.python };
}

/**
 * Points the SDK at the pre-fetched helpers. Must run before any graph that uses a cross-language transform is
 * built: otherwise the SDK downloads the JAR from Maven Central and pip-installs the newest apache-beam, and offline
 * the download dies with an uncatchable ENOTFOUND. Overrides already set (e.g. an expansion service address) win.
 */
export function useLocalBeamServices(
  paths: BeamServicePaths = beamServicePaths(),
  env = process.env,
): Record<string, string> {
  const missing = [paths.gcpExpansionJar, paths.python].filter((file) => !fs.existsSync(file));
  if (missing.length > 0) throw new BeamServicesMissingError(missing);
  const current = env.BEAM_SERVICE_OVERRIDES ? (JSON.parse(env.BEAM_SERVICE_OVERRIDES) as Record<string, string>) : {};
  const overrides = { ...beamServiceOverrides(paths), ...current };
  env.BEAM_SERVICE_OVERRIDES = JSON.stringify(overrides);
  return overrides;
}

/** Sources run from the project root and compiled code from dist/: both find `.rox/` beside package.json. */
function projectRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
