import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { acceptsConnections, freeLoopbackPort, spawnEmulator, waitUntilAnswering } from "../../io/emulator-process";
import { beamServicePaths, BeamServicesMissingError } from "../beam-services";
import { FlinkJobServerStartError } from "./job-server";

export interface ExpansionService {
  /** `127.0.0.1:<port>`, as the SDK's service override takes it. */
  address: string;
  stop(): Promise<void>;
}

/**
 * The GCP IO expansion service (the JAR of scripts/setup-beam.sh) expanding into an EMBEDDED Java environment: the
 * Java stages (the Pub/Sub read) then run inside the Flink job server's JVM, whose classpath holds the same IO, and
 * no Docker is needed. (The job server's own expansion service always picks Docker, apache/beam#21021.)
 */
export async function startEmbeddedExpansionService(): Promise<ExpansionService> {
  const jar = beamServicePaths().gcpExpansionJar;
  if (!fs.existsSync(jar)) throw new BeamServicesMissingError([jar]);
  const port = await freeLoopbackPort();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "rox-expansion-"));
  const logFile = path.join(logDir, "expansion-service.log");
  const options = { logFile, startError: (message: string) => new FlinkJobServerStartError(message) };
  const args = [
    "-Xmx384m",
    "-cp",
    jar,
    "org.apache.beam.sdk.expansion.service.ExpansionService",
    String(port),
    "--defaultEnvironmentType=EMBEDDED",
    `--filesToStage=${jar}`,
  ];
  const service = spawnEmulator("java", args, options);
  await waitUntilAnswering(
    service,
    { name: "the GCP expansion service", url: `127.0.0.1:${port}`, timeoutMs: 120_000 },
    () => acceptsConnections(port),
    options,
  );
  const stop = async () => {
    await service.stop();
    fs.rmSync(logDir, { recursive: true, force: true });
  };
  return { address: `127.0.0.1:${port}`, stop };
}
