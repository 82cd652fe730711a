import { MissingSettingError } from "../cloud/errors";
import { configSection, type RoxConfig } from "../config";
import { booleanField, numberField, sectionField, stringField, stringMapField } from "./config-fields";
import { resolveTarget, type CloudTarget } from "./target";
import { buildTemplateMetadata, type TemplateMetadata } from "../template/metadata";
import { readMetadataFile } from "./metadata-file";

export type JobKind = "batch" | "stream";

/** The worker environment of a launch (a subset of FlexTemplateRuntimeEnvironment, by its field names). */
export interface DataflowEnvironment {
  tempLocation?: string;
  stagingLocation?: string;
  serviceAccountEmail?: string;
  network?: string;
  subnetwork?: string;
  machineType?: string;
  numWorkers?: number;
  maxWorkers?: number;
  enableStreamingEngine?: boolean;
}

/** Everything a launch plan needs besides the run's own flags, resolved from flags over `rox.config.json`. */
export interface DataflowSettings extends CloudTarget {
  /** `gs://…` path of the Flex Template spec file. */
  template: string;
  /** What the parameters are checked against: the metadata this build writes, or `--metadata <file>`. */
  metadata: TemplateMetadata;
  environment: DataflowEnvironment;
  /** Extra labels (the lineage labels are added by the plan). */
  labels: Record<string, string>;
  /** Template parameters every launch of this job passes (the run's own parameters win). */
  parameters: Record<string, string>;
}

/** What flags may set; each wins over the same setting in `dataflow` or `dataflow.<job>` of the config. */
export interface DataflowFlags {
  project?: string;
  region?: string;
  template?: string;
  metadataFile?: string;
  environment?: DataflowEnvironment;
  labels?: Record<string, string>;
}

const ENV_STRINGS = [
  "tempLocation",
  "stagingLocation",
  "serviceAccountEmail",
  "network",
  "subnetwork",
  "machineType",
] as const;
const ENV_NUMBERS = ["numWorkers", "maxWorkers"] as const;

/** Reads the settings of one job kind; a missing project, region or template is named before any call. */
export function resolveDataflowSettings(job: JobKind, config: RoxConfig, flags: DataflowFlags): DataflowSettings {
  const target = resolveTarget(config, flags);
  const shared = configSection(config, "dataflow");
  const own = sectionField(shared, job, "dataflow");
  const where = `dataflow.${job}`;
  const template = flags.template ?? stringField(own, "template", where);
  if (!template)
    throw new MissingSettingError("template", `pass --template gs://… or set "${where}.template" in rox.config.json`);
  const metadataFile = flags.metadataFile ?? stringField(own, "metadata", where);
  return {
    ...target,
    template,
    metadata: metadataFile ? readMetadataFile(metadataFile) : buildTemplateMetadata(job),
    environment: {
      ...environmentOf(shared, "dataflow"),
      ...environmentOf(own, where),
      ...definedOnly(flags.environment ?? {}),
    },
    labels: {
      ...stringMapField(shared, "labels", "dataflow"),
      ...stringMapField(own, "labels", where),
      ...flags.labels,
    },
    parameters: { ...stringMapField(shared, "parameters", "dataflow"), ...stringMapField(own, "parameters", where) },
  };
}

function environmentOf(section: Record<string, unknown>, where: string): DataflowEnvironment {
  const env: DataflowEnvironment = {};
  for (const key of ENV_STRINGS) env[key] = stringField(section, key, where);
  for (const key of ENV_NUMBERS) env[key] = numberField(section, key, where);
  env.enableStreamingEngine = booleanField(section, "enableStreamingEngine", where);
  return definedOnly(env);
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The stream's `dataset` parameter in the config (`dataflow.stream.parameters` over `dataflow.parameters`). */
export function configuredStreamDataset(config: RoxConfig): string | undefined {
  const shared = configSection(config, "dataflow");
  const own = sectionField(shared, "stream", "dataflow");
  return {
    ...stringMapField(shared, "parameters", "dataflow"),
    ...stringMapField(own, "parameters", "dataflow.stream"),
  }.dataset;
}
