import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { acceptsConnections, freeLoopbackPort, spawnEmulator, waitUntilAnswering } from "../../io/emulator-process";
import { logTail } from "../../io/pubsub/emulator-state";
import { BeamServicesMissingError } from "../beam-services";

export const DATAFLOW_JOB_SERVICE_MODULE = "apache_beam.runners.dataflow.dataflow_job_service";

export interface DataflowJobService {
  /** `localhost:<port>`, as the SDK's service override takes it. */
  address: string;
  logFile: string;
  /** The log's last lines, to quote when the submission fails. */
  tail(): string;
  stop(): Promise<void>;
}

/**
 * Python's Dataflow job service, started here instead of by the SDK: the SDK gives it 10 s to listen, and importing
 * apache_beam on a loaded machine takes longer. Own process group, a free loopback port, its log in a file.
 */
export async function startDataflowJobService(python: string): Promise<DataflowJobService> {
  if (!fs.existsSync(python)) throw new BeamServicesMissingError([python]);
  const port = await freeLoopbackPort();
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rox-dataflow-job-service-")), "job-service.log");
  const options = {
    logFile,
    startError: (message: string) =>
      new BeamServicesMissingError([`${python} -m ${DATAFLOW_JOB_SERVICE_MODULE}: ${message}`]),
  };
  const service = spawnEmulator(python, ["-u", "-m", DATAFLOW_JOB_SERVICE_MODULE, "--port", String(port)], options);
  await waitUntilAnswering(
    service,
    { name: "Python's Dataflow job service", url: `localhost:${port}`, timeoutMs: 180_000 },
    () => acceptsConnections(port, "localhost"),
    options,
  );
  return { address: `localhost:${port}`, logFile, tail: () => logTail(logFile), stop: () => service.stop() };
}
