import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { freeLoopbackPort } from "../../io/emulator-process";
import type { GoogleHostTls } from "./tls-google-host";

/** The GCP IO expansion service from the pre-fetched JAR, in its own process group, on a free port. */
export interface ExpansionService {
  address: string;
  pid: number;
  log: () => string;
  stop(): Promise<void>;
}

/**
 * Java's ExpansionService main binds every interface (`ServerBuilder.forPort`), not only loopback: nothing here can
 * narrow that; the port is a free one and the process lives only as long as the test.
 */
export async function startExpansionService(
  jar: string,
  tls: Pick<GoogleHostTls, "trustClasspath"> & { hostsFile?: string },
  logDir: string,
  jvmFlags: string[] = [],
  filesToStage = jar,
): Promise<ExpansionService> {
  const port = await freeLoopbackPort();
  const logFile = path.join(logDir, "expansion-service.log");
  const out = fs.openSync(logFile, "w");
  const classpath = `${tls.trustClasspath}${path.delimiter}${jar}`;
  const hosts = tls.hostsFile ? [`-Djdk.net.hosts.file=${tls.hostsFile}`] : [];
  const args = [
    ...hosts,
    ...jvmFlags,
    "-cp",
    classpath,
    "org.apache.beam.sdk.expansion.service.ExpansionService",
    String(port),
    `--filesToStage=${filesToStage}`,
  ];
  const child = spawn("java", args, { detached: true, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  const stop = () => stopGroup(child);
  process.once("exit", stop);
  try {
    await waitForPort(port, child, 90_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${fs.readFileSync(logFile, "utf8")}`, { cause: err });
  }
  return {
    address: `127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    log: () => fs.readFileSync(logFile, "utf8"),
    stop: async () => {
      process.removeListener("exit", stop);
      await stop();
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the expansion service exited with ${child.exitCode}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the expansion service did not listen on ${port} within ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return Promise.resolve();
  }
  return exited;
}
