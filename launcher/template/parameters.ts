/**
 * The one source of truth for the Flex Template parameters of each job. `metadata.json`, the template spec, the entry
 * point's argv check and the launcher's pre-launch check are all derived from these lists, so a parameter is added in
 * exactly one place. Field names and types follow Dataflow's `ParameterMetadata` (templates.proto, v1beta3).
 *
 * Only options that mean something on Dataflow are here. The local stream command's `--idle-timeout`, `--batch-size`,
 * `--batch-window-ms`, `--max-messages` and `--ack-deadline` steer its micro-batch loop; on Dataflow the service pulls and acks, and a
 * streaming job runs until it is drained. `--chunk-mb` sizes DirectRunner chunks. Dataflow's own options (project,
 * region, temp location, worker image…) are not template parameters: see `pipelines/dataflow/pipeline-options.ts`.
 */
import { MODEL_NAME } from "../../schemas/model-spec";

export const TEMPLATE_JOBS = ["batch", "stream"] as const;
export type TemplateJob = (typeof TEMPLATE_JOBS)[number];

/** The subset of Dataflow's `ParameterType` enum these templates use. */
export type ParamType = "TEXT" | "GCS_READ_FILE" | "PUBSUB_SUBSCRIPTION" | "BOOLEAN" | "ENUM" | "NUMBER";

export interface EnumOption {
  value: string;
  label: string;
  description: string;
}

/** One parameter; `regexes` are matched (all of them) against the whole value, so each is anchored. */
export interface TemplateParameter {
  name: string;
  label: string;
  helpText: string;
  paramType: ParamType;
  isOptional: boolean;
  regexes: string[];
  enumOptions?: EnumOption[];
  defaultValue?: string;
}

// Regexes stay in the syntax Java, RE2 and JavaScript share (no look-arounds, no \p classes): the Dataflow console
// and service check them too, not only our code.
const SCHEMA: TemplateParameter = {
  name: "schema",
  label: "Event schema",
  helpText: "Name of the event contract: the stem of a .avsc file under schemas/ in the image, e.g. flights.",
  paramType: "TEXT",
  isOptional: false,
  regexes: ["^[A-Za-z0-9_-]+$"],
};

const DATASET: TemplateParameter = {
  name: "dataset",
  label: "BigQuery dataset",
  helpText:
    "Dataset in the job's project that receives the events table, the window tables, dead_letters and job_runs " +
    "(tables are named by the schema and created when missing), e.g. rox_events.",
  paramType: "TEXT",
  isOptional: false,
  regexes: ["^[A-Za-z0-9_]{1,1024}$"],
};

/** The run id every row and dead letter records (`_run_id`): `rox launch` passes the id it labels the job with (`rox-run`). */
const RUN_ID: TemplateParameter = {
  name: "runId",
  label: "Run id",
  helpText:
    "Id recorded with every row this job writes (_run_id), for lineage. Default: a random id chosen when the job starts (scheduled runs).",
  paramType: "TEXT",
  isOptional: true,
  regexes: ["^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"],
};

const LOCATION: TemplateParameter = {
  name: "location",
  label: "BigQuery location",
  helpText:
    "Location of the dataset, used when it is created, e.g. EU or europe-west1. Default: BigQuery's default (US).",
  paramType: "TEXT",
  isOptional: true,
  regexes: ["^[A-Za-z]+[A-Za-z0-9-]*$"],
};

const FORMAT_OPTIONS: EnumOption[] = [
  { value: "jsonl", label: "JSON lines", description: "One JSON object per line." },
  { value: "csv", label: "CSV", description: "A header row, then one event per row." },
  { value: "avro", label: "Avro", description: "Avro object container files." },
  { value: "parquet", label: "Parquet", description: "Parquet files, read by row group." },
];

const BATCH: TemplateParameter[] = [
  {
    name: "input",
    label: "Input files",
    helpText:
      "A Cloud Storage file, folder (prefix ending in /) or glob of event files, e.g. gs://my-bucket/events/2001-01-*.jsonl.",
    paramType: "GCS_READ_FILE",
    isOptional: false,
    regexes: ["^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](/.*)?$"],
  },
  SCHEMA,
  {
    name: "format",
    label: "File format",
    helpText: "Format of every input file. Default: taken from each file's extension (.jsonl, .csv, .avro, .parquet).",
    paramType: "ENUM",
    isOptional: true,
    regexes: ["^(jsonl|csv|avro|parquet)$"],
    enumOptions: FORMAT_OPTIONS,
  },
  DATASET,
  LOCATION,
  RUN_ID,
  {
    name: "replace",
    label: "Replace date partitions",
    helpText:
      "true: empty the date partitions the input covers, then load them again. false (default): events already in the table count as duplicates.",
    paramType: "BOOLEAN",
    isOptional: true,
    regexes: ["^(true|false)$"],
    defaultValue: "false",
  },
];

const STREAM: TemplateParameter[] = [
  {
    name: "subscription",
    label: "Pub/Sub subscription",
    helpText: "Full name of the subscription to read, e.g. projects/my-project/subscriptions/flights-stream.",
    paramType: "PUBSUB_SUBSCRIPTION",
    isOptional: false,
    regexes: ["^projects/[a-z][a-z0-9.:-]{4,62}/subscriptions/[A-Za-z][A-Za-z0-9._~+%-]{2,254}$"],
  },
  SCHEMA,
  DATASET,
  RUN_ID,
  ...scoreParameters(),
];

/**
 * `rox stream --score`: the model version the launcher resolved when the job starts (pinned for the job's life: an
 * alias moved later is picked up by relaunching, see docs/dataflow.md). All three go together, or none.
 */
function scoreParameters(): TemplateParameter[] {
  const optional = { paramType: "TEXT" as const, isOptional: true };
  return [
    {
      name: "model",
      label: "Model to score with",
      helpText:
        "Registered model that scores every written event into <table>_predictions, e.g. flights-delay. " +
        "Default: no scoring. Needs modelVersion and modelUri.",
      ...optional,
      regexes: [MODEL_NAME.source],
    },
    {
      name: "modelVersion",
      label: "Model version",
      helpText: "The registered version of the model (pinned when the job starts), e.g. 3.",
      ...optional,
      paramType: "NUMBER",
      regexes: ["^[1-9][0-9]{0,8}$"],
    },
    {
      name: "modelUri",
      label: "Model folder",
      helpText:
        "The version's folder in the gs:// model store (card.json, model.json), e.g. gs://b/models/flights-delay/v3.",
      ...optional,
      regexes: ["^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](/.*)?$"],
    },
    {
      name: "windowCacheSeconds",
      label: "Window cache (seconds)",
      helpText:
        "How long a worker reuses the window rows it read from the window tables for the model's window features. " +
        "Default: 30.",
      ...optional,
      paramType: "NUMBER",
      regexes: ["^[1-9][0-9]{0,5}$"],
    },
  ];
}

const PARAMETERS: Record<TemplateJob, readonly TemplateParameter[]> = { batch: BATCH, stream: STREAM };

/**
 * Parameters that cannot apply to a job on Dataflow, with the reason: refused at template start (and by the launcher
 * before a launch), never accepted and ignored. Both once were stream template parameters; the local stream takes both.
 */
export const REFUSED_PARAMETERS: Readonly<Record<TemplateJob, Readonly<Record<string, string>>>> = {
  batch: {},
  stream: {
    maxDeliveryAttempts:
      "Dataflow's Pub/Sub source does not report delivery attempts (every message reaches the graph as attempt 1, " +
      "and Dataflow retries a failing bundle itself), so no attempt limit can apply; " +
      "it applies to the local stream only",
    location:
      "the streaming job creates no dataset (its submission creates its tables and views in a dataset that must " +
      "already exist), so no location can apply; create the dataset with its location first (bq mk --location=…)",
  },
};

export function templateParameters(job: TemplateJob): readonly TemplateParameter[] {
  return PARAMETERS[job];
}

/**
 * Which job a set of launch parameters is for: each job has one required parameter the other lacks. One launcher
 * image serves both templates, and the launcher passes only parameters, so this is how the entry point tells them apart.
 */
export const JOB_BY_PARAMETER: Readonly<Record<string, TemplateJob>> = { input: "batch", subscription: "stream" };
