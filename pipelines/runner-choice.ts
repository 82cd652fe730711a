import "../transforms/beam/sdk";
import type { Runner } from "apache-beam/runners/runner";
import { useLocalBeamServices } from "./beam-services";
import { RoxError } from "../errors/rox-error";

export const RUNNERS = ["direct", "dataflow", "flink"] as const;
export type RunnerName = (typeof RUNNERS)[number];

export class RunnerChoiceError extends RoxError {
  readonly kind = "usage";
  constructor(message: string) {
    super(message);
    this.name = "RunnerChoiceError";
  }
}

/** Dataflow's options as the SDK passes them to Python's job service (`beam:option:<snake_case>:v1`). */
export interface DataflowOptions {
  project: string;
  region: string;
  tempLocation: string;
  stagingLocation?: string;
  sdkContainerImage?: string;
  serviceAccountEmail?: string;
  network?: string;
  subnetwork?: string;
  jobName?: string;
  [option: string]: string | boolean | number | string[] | undefined;
}

export interface RunnerChoice {
  name: RunnerName;
  runner: Runner;
  /** What the runner was given (the options travel inside the runner: the SDK's `runAsync` drops its own). */
  options: Record<string, unknown>;
}

const REQUIRED_DATAFLOW = ["project", "region", "tempLocation"] as const;

/**
 * `--runner direct|dataflow|flink` → the runner, chosen once at the edge, loaded lazily. Direct stays the default and
 * needs nothing. Dataflow needs project, region and tempLocation and the helpers of scripts/setup-beam.sh (its job
 * service is Python's); Runner v2 is Dataflow's only path for portable pipelines. Flink needs `jobEndpoint`, a
 * running Beam Flink job server: the SDK would download one, but Maven Central does not serve it here.
 */
export function chooseRunner(name: string = "direct", options: Record<string, unknown> = {}): RunnerChoice {
  if (name === "direct") return { name, runner: directRunnerNow(), options: {} };
  if (name === "dataflow") return { name, runner: dataflowRunnerNow(dataflowOptions(options)), options };
  if (name === "flink") return { name, runner: flinkRunnerNow(options), options };
  throw new RunnerChoiceError(`--runner must be one of ${RUNNERS.join(", ")} (got "${name}")`);
}

export function dataflowOptions(options: Record<string, unknown>): DataflowOptions {
  const missing = REQUIRED_DATAFLOW.filter((key) => typeof options[key] !== "string" || options[key] === "");
  if (missing.length > 0)
    throw new RunnerChoiceError(`the dataflow runner needs ${missing.map((m) => `--${m}`).join(", ")}`);
  const tempLocation = String(options.tempLocation);
  if (!tempLocation.startsWith("gs://"))
    throw new RunnerChoiceError(`--tempLocation must be a gs:// path (got "${tempLocation}")`);
  return { stagingLocation: `${tempLocation.replace(/\/$/, "")}/staging`, ...(options as DataflowOptions) };
}

function directRunnerNow(): Runner {
  return (
    require("apache-beam/runners/direct_runner") as typeof import("apache-beam/runners/direct_runner")
  ).directRunner();
}

function dataflowRunnerNow(options: DataflowOptions): Runner {
  useLocalBeamServices();
  const { dataflowRunner } = require("apache-beam/runners/dataflow") as typeof import("apache-beam/runners/dataflow");
  return dataflowRunner(options as Parameters<typeof dataflowRunner>[0]);
}

function flinkRunnerNow(options: Record<string, unknown>): Runner {
  if (typeof options.jobEndpoint !== "string")
    throw new RunnerChoiceError("the flink runner needs --jobEndpoint=<host:port> of a Beam Flink job server");
  useLocalBeamServices();
  const { PortableRunner } =
    require("apache-beam/runners/portable_runner/runner") as typeof import("apache-beam/runners/portable_runner/runner");
  return new PortableRunner({ environmentType: "LOOPBACK", ...options, jobEndpoint: options.jobEndpoint });
}
