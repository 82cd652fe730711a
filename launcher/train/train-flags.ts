/** What `rox train` is given, and the warehouse it reads (shared by the command and the model trainer). */
import { warehouseTarget, type WarehouseTarget } from "../warehouse";
import type { TrainTarget } from "./settings";

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
