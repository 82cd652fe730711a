import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EmulatorUnavailableError } from "./errors";

/** Where the emulator's launcher script lives inside a Google Cloud CLI installation. */
const LAUNCHER = path.join("platform", "pubsub-emulator", "bin", "cloud-pubsub-emulator");

export interface EmulatorInstall {
  /** The `cloud-pubsub-emulator` launcher script (it `exec`s java, so its PID becomes the JVM's). */
  launcher: string;
  sdkRoot: string;
  java: string;
}

/** Finds the emulator shipped with the Google Cloud CLI, or says exactly what is missing. */
export function findEmulator(env: NodeJS.ProcessEnv = process.env): EmulatorInstall {
  const gcloud = findOnPath("gcloud", env.PATH);
  if (!gcloud)
    throw new EmulatorUnavailableError(
      "gcloud",
      "gcloud is not on PATH: install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)",
    );
  const sdkRoot = findSdkRoot(gcloud, env);
  const launcher = path.join(sdkRoot, LAUNCHER);
  if (!isExecutable(launcher)) {
    throw new EmulatorUnavailableError(
      "pubsub-emulator",
      `the pubsub-emulator component is not installed (no ${launcher}): run \`gcloud components install pubsub-emulator\` (or \`apt-get install google-cloud-cli-pubsub-emulator\`)`,
    );
  }
  return { launcher, sdkRoot, java: findJava(env) };
}

/**
 * The SDK root is two levels above the real `gcloud` script (`<root>/bin/gcloud`) in every install seen; when that
 * layout does not hold, ask gcloud itself (slower: it starts Python).
 */
function findSdkRoot(gcloud: string, env: NodeJS.ProcessEnv): string {
  const byLayout = path.dirname(path.dirname(fs.realpathSync(gcloud)));
  if (fs.existsSync(path.join(byLayout, "platform"))) return byLayout;
  const info = spawnSync(gcloud, ["info", "--format=value(installation.sdk_root)"], {
    env,
    encoding: "utf8",
    timeout: 30_000,
  });
  const reported = info.status === 0 ? info.stdout.trim() : "";
  return reported || byLayout;
}

/** The same java the launcher script picks: `$JAVA_HOME/bin/java`, else `java` on PATH. */
function findJava(env: NodeJS.ProcessEnv): string {
  const java = env.JAVA_HOME ? path.join(env.JAVA_HOME, "bin", "java") : findOnPath("java", env.PATH);
  if (java && isExecutable(java)) return java;
  const where = env.JAVA_HOME ? `JAVA_HOME=${env.JAVA_HOME} has no bin/java` : "JAVA_HOME is unset and no java on PATH";
  throw new EmulatorUnavailableError(
    "java",
    `java is not installed (${where}): the Pub/Sub emulator is a Java program; install a Java runtime (17 works)`,
  );
}

function findOnPath(command: string, searchPath: string | undefined): string | undefined {
  const dirs = (searchPath ?? "").split(path.delimiter).filter((dir) => dir !== "");
  return dirs.map((dir) => path.join(dir, command)).find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
