/** What `rox train` is given, and the warehouse it reads (shared by the command and the model trainer). */
import { warehouseTarget, type WarehouseTarget } from "../warehouse";
import { UsageError } from "../errors";
import type { TrainTarget } from "./settings";
import type { JobPolling } from "./vertex-wait";

export interface TrainFlags {
  partition?: string;
  target?: TrainTarget;
  project?: string;
  region?: string;
  dryRun?: boolean;
  config?: string;
  /** A DuckDB file, or `bigquery` with `dataset` (and the project of `project` or the config). */
  warehouse?: string;
  dataset?: string;
  location?: string;
  bigqueryEndpoint?: string;
  schemasDir?: string;
  /** `host:port` of the Vertex AI API (a private endpoint, or the tests' in-test server). */
  endpoint?: string;
  /** A model spec (`schemas/models/<name>.json`): train the XGBoost model on its feature rows (launcher/models). */
  model?: string;
  /** The model store holding the champion the new model is compared with. */
  store?: string;
  retrain?: boolean;
  /** `--wait-until-done` (vertex-custom-job): seconds between GetCustomJob polls and minutes in all. */
  wait?: { pollSeconds?: number; maxWaitMinutes?: number };
}

/** The warehouse flags of every job command; BigQuery's project defaults to the config's, as training's does. */
export function trainWarehouse(flags: TrainFlags, configProject: string | undefined): WarehouseTarget {
  const project = flags.project ?? configProject;
  return warehouseTarget({
    warehouse: flags.warehouse,
    project,
    dataset: flags.dataset,
    location: flags.location,
    "bigquery-endpoint": flags.bigqueryEndpoint,
  });
}

/** `--wait-until-done`: the Dataflow wait's polling plan (the same flags and defaults), a line per poll on stderr. */
export async function trainPolling(flags: TrainFlags, target: TrainTarget): Promise<JobPolling | undefined> {
  if (!flags.wait) return undefined;
  if (target !== "vertex-custom-job")
    throw new UsageError(
      `--wait-until-done waits for a Vertex AI CustomJob: --target vertex-custom-job (got ${target})`,
    );
  const { donePolling } = await import("../dataflow/wait-until-done");
  return {
    ...donePolling(flags.wait.pollSeconds, flags.wait.maxWaitMinutes),
    onPoll: (job, poll) => console.error(`poll ${poll}: ${job.name} ${job.state}`),
  };
}
