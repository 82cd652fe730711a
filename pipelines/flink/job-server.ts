import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  acceptsConnections,
  freeLoopbackPort,
  spawnEmulator,
  waitUntilAnswering,
  type EmulatorProcess,
} from "../../io/emulator-process";
import { beamServicePaths } from "../beam-services";
import { RoxError } from "../../errors/rox-error";

/** `scripts/setup-beam.sh flink` has not installed Beam's Flink job server (or Java is missing). */
export class FlinkJobServerUnavailableError extends RoxError {
  readonly kind = "missing-tool";
  constructor(message: string) {
    super(message);
    this.name = "FlinkJobServerUnavailableError";
  }
}

export class FlinkJobServerStartError extends RoxError {
  readonly kind = "missing-tool";
  constructor(message: string) {
    super(message);
    this.name = "FlinkJobServerStartError";
  }
}

export interface FlinkJobServer {
  /** `127.0.0.1:<port>` of the Beam job service. */
  endpoint: string;
  /** `http://127.0.0.1:<port>` of Flink's REST API while a job runs (each job's cluster listens there in turn). */
  restUrl: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export interface FlinkJobServerOptions {
  /** Task slots of the embedded cluster: the most parallelism a job can have (default 2). */
  slots?: number;
  /** The JVM's heap in MiB (default 640): bounded, the machine is shared. */
  heapMb?: number;
  /** Where the log and the Flink configuration go (default: a fresh temp folder). */
  workDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Flink 1.15 on Java 17 reflects into these packages (its own docs list them for Java 17). */
const OPENS = [
  "java.lang",
  "java.lang.reflect",
  "java.util",
  "java.util.concurrent",
  "java.util.concurrent.atomic",
  "java.io",
  "java.net",
  "java.nio",
  "sun.nio.ch",
  "java.text",
  "java.time",
];
const DRIVER = "org.apache.beam.runners.flink.FlinkJobServerDriver";

/** The folder of Beam's Flink job server JARs, as `scripts/setup-beam.sh flink` installs them. */
export function flinkJobServerLib(env = process.env): string {
  return path.join(path.dirname(path.dirname(beamServicePaths(__dirname, env).gcpExpansionJar)), "flink", "lib");
}

/**
 * Starts Beam's Flink job server (FlinkJobServerDriver from Maven's parts) with an embedded Flink cluster: its own
 * process group, loopback ports chosen free, a bounded heap, `slots` task slots. Jobs submitted to `endpoint` run on
 * it; Java cross-language stages run EMBEDDED in its JVM (their classes are on its classpath), so no Docker is needed.
 */
export async function startFlinkJobServer(options: FlinkJobServerOptions = {}): Promise<FlinkJobServer> {
  const lib = flinkJobServerLib(options.env);
  if (!fs.existsSync(path.join(lib, ".installed")))
    throw new FlinkJobServerUnavailableError(
      `Beam's Flink job server is not installed in ${lib}: run scripts/setup-beam.sh flink`,
    );
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "rox-flink-"));
  const [jobPort, artifactPort, expansionPort, restPort] = [
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
    await freeLoopbackPort(),
  ];
  const confDir = writeFlinkConf(workDir, options.slots ?? 2, restPort);
  const args = [
    `-Xmx${options.heapMb ?? 640}m`,
    ...OPENS.map((pkg) => `--add-opens=java.base/${pkg}=ALL-UNNAMED`),
    "-cp",
    path.join(lib, "*"),
    DRIVER,
    ...[
      "--job-host",
      "127.0.0.1",
      "--job-port",
      String(jobPort),
      "--artifact-port",
      String(artifactPort),
      "--expansion-port",
      String(expansionPort),
    ],
    ...["--flink-master", "[local]", "--flink-conf-dir", confDir, "--artifacts-dir", path.join(workDir, "artifacts")],
  ];
  const logFile = path.join(workDir, "job-server.log");
  const spawnOptions = {
    logFile,
    env: options.env,
    startError: (message: string) => new FlinkJobServerStartError(message),
  };
  let server: EmulatorProcess;
  try {
    server = spawnEmulator("java", args, spawnOptions);
  } catch (err) {
    throw new FlinkJobServerUnavailableError(`cannot start java: ${(err as Error).message}`);
  }
  const endpoint = `127.0.0.1:${jobPort}`;
  await waitUntilAnswering(
    server,
    { name: "Beam's Flink job server", url: endpoint, timeoutMs: 120_000 },
    () => acceptsConnections(jobPort),
    spawnOptions,
  );
  const restUrl = `http://127.0.0.1:${restPort}`;
  return { endpoint, restUrl, pid: server.pid, logFile, stop: () => server.stop() };
}

/** Slots, parallelism and timeouts for a small shared machine: heartbeats tolerate a loaded CPU. */
function writeFlinkConf(workDir: string, slots: number, restPort: number): string {
  const dir = path.join(workDir, "conf");
  fs.mkdirSync(dir, { recursive: true });
  const conf = {
    "taskmanager.numberOfTaskSlots": slots,
    "parallelism.default": slots,
    "heartbeat.timeout": 300_000,
    "rest.bind-address": "127.0.0.1",
    "rest.bind-port": restPort,
    "rest.port": restPort,
    "rest.address": "127.0.0.1",
    "taskmanager.host": "127.0.0.1",
    "jobmanager.rpc.address": "127.0.0.1",
    // A streaming job's checkpoints outgrow the JobManager's 5 MiB memory-backed storage within seconds (the job then
    // fails over: "Size of the state is larger than the maximum permitted memory-backed state"): files instead.
    "state.checkpoint-storage": "filesystem",
    "state.checkpoints.dir": `file://${path.join(workDir, "checkpoints")}`,
    // Flink's REST API answers metrics from a store refreshed at most this often (default 10 s): rest-counters.ts.
    "metrics.fetcher.update-interval": 500,
  };
  fs.writeFileSync(
    path.join(dir, "flink-conf.yaml"),
    Object.entries(conf)
      .map(([k, v]) => `${k}: ${v}`)
      .join("\n") + "\n",
  );
  return dir;
}
