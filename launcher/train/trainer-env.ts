import * as path from "path";

export interface LocalJobDirs {
  /** The job's output folder: `<localOutputDir>/<job id>` (like a CustomJob's base output directory). */
  base: string;
  data: string;
  model: string;
  checkpoints: string;
  logs: string;
}

export function localJobDirs(outputDir: string, jobId: string): LocalJobDirs {
  const base = path.resolve(outputDir, jobId);
  return {
    base,
    data: path.join(base, "data"),
    model: path.join(base, "model"),
    checkpoints: path.join(base, "checkpoints"),
    logs: path.join(base, "logs"),
  };
}

/** Stands in for the project and region Vertex AI would name when none is configured. */
const LOCAL_PROJECT = "rox-local";
const LOCAL_REGION = "local";

/**
 * The environment Vertex AI gives a custom training container, for a local run: the folders under the base output
 * directory (`model/`, `checkpoints/`, `logs/`, with the trailing slash Vertex gives them), the training data's URI
 * and format, and the project, region and job id. Vertex's managed datasets say `jsonl`, `csv` or `bigquery` in
 * `AIP_DATA_FORMAT`; the local slice is one Parquet file, so it says `parquet`.
 */
export function vertexTrainingEnv(o: {
  dirs: LocalJobDirs;
  dataUri: string;
  jobId: string;
  project?: string;
  region?: string;
}): Record<string, string> {
  return {
    AIP_MODEL_DIR: o.dirs.model + path.sep,
    AIP_CHECKPOINT_DIR: o.dirs.checkpoints + path.sep,
    AIP_TENSORBOARD_LOG_DIR: o.dirs.logs + path.sep,
    AIP_TRAINING_DATA_URI: o.dataUri,
    AIP_DATA_FORMAT: "parquet",
    CLOUD_ML_PROJECT_ID: o.project ?? LOCAL_PROJECT,
    CLOUD_ML_REGION: o.region ?? LOCAL_REGION,
    CLOUD_ML_JOB_ID: o.jobId,
  };
}
