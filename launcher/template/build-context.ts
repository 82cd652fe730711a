/**
 * The Docker build context both images COPY from (docker/*.Dockerfile), laid out under the output folder:
 *
 *   app/     package.json, package-lock.json, scripts/patch-beam-sdk.js, bin/rox.js (the CLI), schemas/*.avsc, dist/
 *   beam/    jars/ (the pre-fetched expansion service) and python-constraints.txt (the tested venv, frozen)
 *
 * Only files are copied, never node_modules or a venv: both images install their dependencies from the registries
 * with the lockfile and the constraints, for the Linux and Python of the image (a venv is not relocatable).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** The expansion service the SDK's Pub/Sub and BigQuery IO need (Java cross-language transforms). */
export const EXPANSION_SERVICE_JAR = "beam-sdks-java-io-google-cloud-platform-expansion-service-2.49.0.jar";

/** The build context cannot be assembled: something it copies is missing. */
export class BuildContextError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BuildContextError";
  }
}

/** Copies the compiled project into `<out>/app`. `dist/` must be fresh (`npm run build`). */
export function copyApp(projectRoot: string, out: string): void {
  const app = path.join(out, "app");
  fs.rmSync(app, { recursive: true, force: true });
  for (const file of ["package.json", "package-lock.json", "scripts/patch-beam-sdk.js", "bin/rox.js"])
    copyFile(projectRoot, app, file);
  for (const schema of fs.readdirSync(path.join(projectRoot, "schemas")).filter((f) => f.endsWith(".avsc"))) {
    copyFile(projectRoot, app, path.join("schemas", schema));
  }
  copyDist(projectRoot, out, path.join(app, "dist"));
}

/** Every compiled folder but the benchmarks, and never the output folder itself (by default it lives in dist/). */
function copyDist(projectRoot: string, out: string, target: string): void {
  const dist = path.join(projectRoot, "dist");
  if (!fs.existsSync(path.join(dist, "pipelines")))
    throw new BuildContextError(`${dist} has no compiled pipelines: run npm run build first`);
  for (const entry of fs.readdirSync(dist).filter((e) => e !== "bench" && !isWithin(out, path.join(dist, e)))) {
    fs.cpSync(path.join(dist, entry), path.join(target, entry), { recursive: true });
  }
}

/** Copies the pre-fetched JARs and freezes the Beam Python venv that scripts/setup-beam.sh made in `beamDir`. */
export function copyBeam(beamDir: string, out: string): void {
  const beam = path.join(out, "beam");
  fs.rmSync(beam, { recursive: true, force: true });
  const jar = path.join(beamDir, "jars", EXPANSION_SERVICE_JAR);
  if (!fs.existsSync(jar)) throw new BuildContextError(`${jar} is missing: run scripts/setup-beam.sh first`);
  fs.mkdirSync(path.join(beam, "jars"), { recursive: true });
  for (const file of fs.readdirSync(path.join(beamDir, "jars")).filter((f) => f.endsWith(".jar"))) {
    fs.copyFileSync(path.join(beamDir, "jars", file), path.join(beam, "jars", file));
  }
  fs.writeFileSync(path.join(beam, "python-constraints.txt"), freezeVenv(path.join(beamDir, "python-venv")));
}

// Lists the venv's distributions with importlib.metadata rather than `pip freeze`: it needs no pip in the venv.
const FREEZE =
  "import importlib.metadata as m; print('\\n'.join(sorted({f\"{d.metadata['Name']}=={d.version}\" for d in m.distributions()})))";

function freezeVenv(venv: string): string {
  const python = path.join(venv, "bin", "python");
  if (!fs.existsSync(python)) throw new BuildContextError(`${python} is missing: run scripts/setup-beam.sh first`);
  try {
    const frozen = execFileSync(python, ["-c", FREEZE], { encoding: "utf8" });
    return `# the packages of ${venv}: the versions tested locally, constraints for the launcher image's venv\n${frozen}`;
  } catch (cause) {
    throw new BuildContextError(`cannot list the packages of ${venv}`, { cause });
  }
}

function isWithin(child: string, parent: string): boolean {
  const relative = path.relative(path.resolve(parent), path.resolve(child));
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

function copyFile(fromRoot: string, toRoot: string, relative: string): void {
  const source = path.join(fromRoot, relative);
  if (!fs.existsSync(source)) throw new BuildContextError(`${source} is missing`);
  fs.mkdirSync(path.dirname(path.join(toRoot, relative)), { recursive: true });
  fs.copyFileSync(source, path.join(toRoot, relative));
}
