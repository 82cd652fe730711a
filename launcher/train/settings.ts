import * as path from "path";
import { ConfigError, configSection, type RoxConfig } from "../config";
import { TRAIN_TARGET_NAMES } from "../config-shape";
import { checkKubeflowEndpoint } from "./kubeflow-endpoint";

export const TRAIN_TARGETS = TRAIN_TARGET_NAMES;
export type TrainTarget = (typeof TRAIN_TARGETS)[number];

export interface KubeflowSettings {
  /** KFP API server, e.g. `https://<id>-dot-<region>.pipelines.googleusercontent.com` or `http://ml-pipeline.kubeflow:8888`. */
  endpoint?: string;
  pipelineId?: string;
  pipelineVersionId?: string;
  experimentId?: string;
  /** The Kubernetes service account the run's pods use (not a Google one). */
  serviceAccount?: string;
  /** `adc`: send a bearer token from Application Default Credentials; `none`: send no credentials. */
  auth: "none" | "adc";
}

/** The `train` section of `rox.config.json`, with `project`/`region` from the top level; flags win over both. */
export interface TrainSettings {
  target: TrainTarget;
  project?: string;
  region?: string;
  /** Trainer container image (Vertex CustomJob). */
  image?: string;
  machineType: string;
  /** Extra trainer arguments, before the lineage arguments. */
  args: string[];
  /** The Google service account Vertex AI runs the job as. */
  serviceAccount?: string;
  /** `gs://` folder: a CustomJob's base output directory (`<uri>/<job id>`), and the pipelines' root. */
  outputUri?: string;
  /** Compiled pipeline template for Vertex AI Pipelines: `gs://…json` or an Artifact Registry `https://…-kfp.pkg.dev/…` URI. */
  pipelineTemplate?: string;
  kubeflow: KubeflowSettings;
  /** Local target: the command to run (default: the example trainer), and where its outputs go. */
  command?: string[];
  localOutputDir: string;
}

export interface TrainFlags {
  target?: TrainTarget;
  project?: string;
  region?: string;
}

const DEFAULT_MACHINE = "n1-standard-4";
export const DEFAULT_LOCAL_OUTPUT = path.join(".rox", "train");

export function readTrainSettings(config: RoxConfig, flags: TrainFlags = {}): TrainSettings {
  const s = configSection(config, "train");
  const kf = subsection(s, "kubeflow");
  const auth = optionalString(kf, "auth", "train.kubeflow") ?? "none";
  if (auth !== "none" && auth !== "adc") throw new ConfigError(`config: "train.kubeflow.auth" must be "none" or "adc"`);
  const target = flags.target ?? targetOf(optionalString(s, "target", "train")) ?? "local";
  const endpoint = optionalString(kf, "endpoint", "train.kubeflow");
  // Refused before the warehouse is even opened: the run would send a token to it.
  if (target === "kubeflow" && endpoint !== undefined) checkKubeflowEndpoint(endpoint, auth);
  return {
    target,
    project: flags.project ?? config.project,
    region: flags.region ?? config.region,
    image: optionalString(s, "image", "train"),
    machineType: optionalString(s, "machineType", "train") ?? DEFAULT_MACHINE,
    args: stringList(s, "args") ?? [],
    serviceAccount: optionalString(s, "serviceAccount", "train"),
    outputUri: optionalString(s, "outputUri", "train"),
    pipelineTemplate: optionalString(s, "pipelineTemplate", "train"),
    kubeflow: {
      endpoint,
      pipelineId: optionalString(kf, "pipelineId", "train.kubeflow"),
      pipelineVersionId: optionalString(kf, "pipelineVersionId", "train.kubeflow"),
      experimentId: optionalString(kf, "experimentId", "train.kubeflow"),
      serviceAccount: optionalString(kf, "serviceAccount", "train.kubeflow"),
      auth,
    },
    command: stringList(s, "command"),
    localOutputDir: optionalString(s, "localOutputDir", "train") ?? DEFAULT_LOCAL_OUTPUT,
  };
}

function targetOf(value: string | undefined): TrainTarget | undefined {
  if (value === undefined) return undefined;
  if (!(TRAIN_TARGETS as readonly string[]).includes(value))
    throw new ConfigError(`config: "train.target" must be one of ${TRAIN_TARGETS.join(", ")}`);
  return value as TrainTarget;
}

function subsection(section: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = section[name];
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ConfigError(`config: "train.${name}" must be an object`);
  return value as Record<string, unknown>;
}

function optionalString(section: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = section[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "")
    throw new ConfigError(`config: "${where}.${key}" must be a non-empty string`);
  return value;
}

function stringList(section: Record<string, unknown>, key: string): string[] | undefined {
  const value = section[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw new ConfigError(`config: "train.${key}" must be an array of strings`);
  return value as string[];
}
